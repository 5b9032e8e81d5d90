/**
 * Hands the authorization URL to a browser: the system's opener (xdg-open / open / start) through a
 * private redirect file, so the URL is in no program's arguments; a user-given command run without a
 * shell (the URL as its last argument, its documented contract); or the terminal (`--no-open`).
 */
import { tmpdir } from 'node:os';
import { createRedirectFile, type RedirectFile } from '../core/browser-handoff.ts';
import { DeskError } from '../core/errors.ts';
import { errnoCode } from '../core/util.ts';
import type { BrowserMode } from './args.ts';
import { safeText, type Output } from './output.ts';

/** The system opener for a platform: argv, the file: URL of the redirect file appended last. */
export function systemOpener(platform: NodeJS.Platform): { file: string; args: string[]; verbatim: boolean } {
  if (platform === 'darwin') return { file: 'open', args: [], verbatim: false };
  // `start` is a cmd builtin; the empty "" is its window title. The URL is quoted below.
  if (platform === 'win32') return { file: 'cmd.exe', args: ['/d', '/s', '/c', 'start', '""'], verbatim: true };
  return { file: 'xdg-open', args: [], verbatim: false };
}

function errnoOf(error: unknown): string {
  return errnoCode(error) ?? 'error';
}

function printUrl(out: Output, url: string): void {
  out.info(`Open this URL in a browser to sign in:\n\n  ${safeText(url, Number.POSITIVE_INFINITY)}\n`);
}

/** Redirect files of this process whose sign-in may still be running. */
const redirectFiles = new Set<RedirectFile>();
let exitHookSet = false;

/**
 * Removes every redirect file this process made. The CLI calls it once its command has ended (the
 * sign-in is over by then, whichever way it ended), and on exit as a fallback.
 */
export function removeRedirectFiles(): void {
  for (const file of redirectFiles) file.remove();
  redirectFiles.clear();
}

/**
 * Starts the system opener on a redirect file's `file:` URL (its only argument). `onFailure` hears why
 * when the opener cannot run or exits with a failure status; false when it could not even be started.
 */
export async function spawnSystemOpener(file: RedirectFile, platform: NodeJS.Platform, onFailure: (why: string) => void): Promise<boolean> {
  const opener = systemOpener(platform);
  const args = opener.verbatim ? [...opener.args, `"${file.url}"`] : [...opener.args, file.url];
  // Loaded when a browser is opened: every other command starts without it.
  const { spawn } = await import('node:child_process');
  try {
    const child = spawn(opener.file, args, { stdio: 'ignore', detached: platform !== 'win32', windowsVerbatimArguments: opener.verbatim, windowsHide: true });
    child.once('error', (error) => onFailure(`${opener.file}: ${errnoOf(error)}`));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) onFailure(`${opener.file} exited with status ${code}`);
    });
    child.unref();
    return true;
  } catch (error) {
    onFailure(`${opener.file}: ${errnoOf(error)}`);
    return false;
  }
}

/**
 * The system opener gets the `file:` URL of a redirect file, never the authorization URL: any local user
 * can read a process's arguments. The browser reads the file asynchronously, after the opener may have
 * exited, so the file stays until the sign-in ends (the callback proves it was read). Any failure falls
 * back to printing the URL on stderr, which only this user sees.
 */
async function openWithSystemOpener(url: string, out: Output, platform: NodeJS.Platform): Promise<void> {
  let file: RedirectFile;
  try {
    file = await createRedirectFile(url, tmpdir());
  } catch (error) {
    out.warn(`Could not hand the sign-in to the system browser (${error instanceof DeskError ? safeText(error.message, 200) : errnoOf(error)}).`);
    printUrl(out, url);
    return;
  }
  if (!exitHookSet) process.once('exit', removeRedirectFiles);
  exitHookSet = true;
  redirectFiles.add(file);
  let failed = false;
  const fallback = (why: string): void => {
    if (failed) return;
    failed = true;
    file.remove();
    redirectFiles.delete(file);
    out.warn(`Could not open a browser (${why}).`);
    printUrl(out, url);
  };
  if (!(await spawnSystemOpener(file, platform, fallback))) return;
  out.info(`Opening the sign-in page in your browser through ${safeText(file.path, 500)} (readable only by you, removed when the sign-in ends). A browser that cannot read it (a sandboxed one, such as a snap) shows an error instead: then run again with --no-open and open the printed URL yourself.`);
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
    void openWithSystemOpener(url, out, platform);
    return pending;
  }
  const [file, ...args] = mode.argv;
  if (file === undefined) return Promise.reject(new DeskError('USAGE', '--browser-command is empty.'));
  return import('node:child_process').then(({ spawn }) => new Promise<never>((_, reject) => {
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
  }));
}
