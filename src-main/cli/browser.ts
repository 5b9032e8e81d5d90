/** Hands the authorization URL to a browser: the system's opener (xdg-open / open / start), a user-given command run without a shell, or the terminal (`--no-open`). */
import { spawn } from 'node:child_process';
import { DeskError } from '../core/errors.ts';
import type { BrowserMode } from './args.ts';
import type { Output } from './output.ts';

/** The system opener for a platform: argv, the URL appended last. */
export function systemOpener(platform: NodeJS.Platform): { file: string; args: string[]; verbatim: boolean } {
  if (platform === 'darwin') return { file: 'open', args: [], verbatim: false };
  // `start` is a cmd builtin; the empty "" is its window title. The URL is quoted below.
  if (platform === 'win32') return { file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""'], verbatim: true };
  return { file: 'xdg-open', args: [], verbatim: false };
}

function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'error';
}

function printUrl(out: Output, url: string): void {
  out.info(`Open this URL in a browser to sign in:\n\n  ${url}\n`);
}

/**
 * Opens `url` as `mode` says. The returned promise never resolves; it rejects (USAGE) only when a
 * `--browser-command` cannot run or exits non-zero, so the caller can stop waiting at once. When the
 * system opener fails, the URL is printed on stderr instead and the wait goes on.
 */
export function openAuthorizationUrl(mode: BrowserMode, url: string, out: Output, platform: NodeJS.Platform = process.platform): Promise<never> {
  const pending = new Promise<never>(() => undefined);
  if (mode.kind === 'none') {
    printUrl(out, url);
    return pending;
  }
  if (mode.kind === 'system') {
    const opener = systemOpener(platform);
    const args = opener.verbatim ? [...opener.args, `"${url}"`] : [...opener.args, url];
    const fallback = (why: string): void => {
      out.warn(`Could not open a browser (${why}).`);
      printUrl(out, url);
    };
    try {
      const child = spawn(opener.file, args, { stdio: 'ignore', detached: platform !== 'win32', windowsVerbatimArguments: opener.verbatim, windowsHide: true });
      child.once('error', (error) => fallback(`${opener.file}: ${error.message}`));
      child.once('exit', (code) => {
        if (code !== 0 && code !== null) fallback(`${opener.file} exited with status ${code}`);
      });
      child.unref();
    } catch (error) {
      fallback(error instanceof Error ? error.message : String(error));
    }
    return pending;
  }
  const [file, ...args] = mode.argv;
  if (file === undefined) return Promise.reject(new DeskError('USAGE', '--browser-command is empty.'));
  return new Promise<never>((_, reject) => {
    let child;
    try {
      // Its output goes to our stderr: stdout carries only the session id.
      child = spawn(file, [...args, url], { stdio: ['ignore', 2, 2], windowsHide: true });
    } catch (error) {
      reject(new DeskError('USAGE', `The browser command could not run (${errnoOf(error)}).`));
      return;
    }
    // Only the errno code: node's message repeats the program, which was typed (and may be a pasted token).
    child.once('error', (error) => reject(new DeskError('USAGE', `The browser command could not run (${errnoOf(error)}).`)));
    child.once('exit', (code, signal) => {
      if (code === 0) return;
      reject(new DeskError('USAGE', `The browser command ${signal === null ? `exited with status ${code ?? '?'}` : `was ended by ${signal}`} before the sign-in completed; the sign-in was abandoned.`));
    });
    child.unref();
  });
}
