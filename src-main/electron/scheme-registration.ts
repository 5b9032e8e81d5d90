/**
 * The desktop app's private-use URI schemes with the OS (RFC 8252 §7.1): registering them at run time,
 * what the OS says about them, and the self-test that has the OS open `<scheme>:/self-test?nonce=...` and
 * waits for it to come back. Implements the core's `SchemeHost`. Electron is not imported here at run
 * time: its `app` and `shell.openExternal` come in as parameters (so this runs, and is tested, in Node).
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { App } from 'electron';
import type { SchemeHost, SchemeRegistration } from '../core/contract.ts';
import { isReverseDomainScheme } from '../core/deep-link.ts';
import { DeskError } from '../core/errors.ts';
import { APP_SCHEME } from '../core/profile.ts';
import { writeDataFileAtomic } from '../core/store/data-dir.ts';

/** The one desktop entry (in `$XDG_DATA_HOME/applications`) that hands every scheme of OIDC Desk to the app on Linux. */
export const DESKTOP_FILE_ID = 'oidc-desk-url-handler.desktop';
/** The path of a self-test URL, `<scheme>:/self-test?nonce=<nonce>`. */
export const SELF_TEST_PATH = '/self-test';
/** How long a self-test waits for its URL to come back (default). */
export const DEFAULT_SELF_TEST_TIMEOUT_MS = 10_000;
/** Limit of each command run (xdg-mime, update-desktop-database, xdg-open). */
export const EXEC_TIMEOUT_MS = 10_000;

const MAX_SELF_TEST_URL_LENGTH = 2048;
/** `<scheme>:/self-test?nonce=<22 base64url characters>`, nothing else: the scheme is checked apart. */
const SELF_TEST_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/self-test\?nonce=([A-Za-z0-9_-]{22})$/;
/** Any URL on a scheme whose path is the self-test's: never a callback, whatever its query. */
const SELF_TEST_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/self-test(?:[?#]|$)/;

/** What the registry uses of Electron's `app` (Windows and macOS). */
export type ProtocolApp = Pick<App, 'setAsDefaultProtocolClient' | 'isDefaultProtocolClient' | 'getApplicationNameForProtocol'>;

/** Runs a program with an argument array (no shell) and resolves with its output; rejects on a failure, a non-zero exit or the timeout. */
export type ExecRunner = (file: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<{ readonly stdout: string }>;

/** What {@link createSchemeRegistry} is built from; the composition root (Electron `main.ts`) supplies each. */
export interface SchemeRegistryDeps {
  readonly platform: NodeJS.Platform;
  /** Electron's `app` (used on Windows and macOS). */
  readonly app: ProtocolApp;
  /** Asks the OS to open a URL: Electron's `shell.openExternal` (on Linux it runs xdg-open), or {@link xdgOpen}. */
  readonly openExternal: (url: string) => Promise<void>;
  /** Runs xdg-mime and update-desktop-database (Linux): {@link execFileRunner}. */
  readonly exec: ExecRunner;
  /** `$XDG_DATA_HOME` (Linux), see {@link xdgDataHome}: the entry goes to its `applications` folder. */
  readonly dataHome: string;
  /**
   * The command that starts the app, program first: `[process.execPath]` when packaged, `[process.execPath,
   * appPath]` in development. The OS runs it with `--` and the URL after it (SECURITY.md, CVE-2018-1000006).
   */
  readonly command: readonly string[];
  readonly now?: () => number;
  /** How long a self-test waits (default {@link DEFAULT_SELF_TEST_TIMEOUT_MS}). */
  readonly selfTestTimeoutMs?: number;
}

/** The scheme host of the desktop app, and what its deep-link dispatcher calls for every incoming URL. */
export interface SchemeRegistry extends SchemeHost {
  /**
   * True, and the self-test done, when `url` is the self-test URL of a pending self-test (each nonce is
   * taken once); false for anything else (a wrong or spent nonce included).
   */
  accept(url: unknown): boolean;
  /**
   * What the deep-link dispatcher calls before the callback router: true when `url` is a self-test URL, taken
   * by {@link accept} or dropped (a spent or foreign nonce), so that no self-test URL reaches the router.
   */
  intercept(url: unknown): boolean;
}

/** True when `url` has a self-test URL's shape (a scheme, then `:/self-test`): never a callback. */
export function isSelfTestUrl(url: unknown): boolean {
  return typeof url === 'string' && url.length <= MAX_SELF_TEST_URL_LENGTH && SELF_TEST_SHAPE.test(url);
}

/** `$XDG_DATA_HOME`, or `~/.local/share` when it is unset or not absolute (XDG Base Directory spec). */
export function xdgDataHome(env: NodeJS.ProcessEnv, home: string): string {
  const value = env['XDG_DATA_HOME'];
  return value !== undefined && isAbsolute(value) ? value : join(home, '.local', 'share');
}

/** An {@link ExecRunner} over `execFile` (no shell), with `env` (default: this process's). */
export function execFileRunner(env: NodeJS.ProcessEnv = process.env): ExecRunner {
  return (file, args, { timeoutMs }) => new Promise((resolve, reject) => {
    execFile(file, [...args], { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, encoding: 'utf8' }, (error, stdout) => {
      if (error) reject(error);
      else resolve({ stdout });
    });
  });
}

/** An opener that runs `xdg-open <url>` through `exec` (Linux, outside Electron). */
export function xdgOpen(exec: ExecRunner): (url: string) => Promise<void> {
  return async (url) => {
    await exec('xdg-open', [url], { timeoutMs: EXEC_TIMEOUT_MS });
  };
}

/** A scheme checked before any file or command sees it; the refusal never names the value. */
function assertScheme(scheme: unknown): string {
  if (!isReverseDomainScheme(scheme)) {
    throw new DeskError('REDIRECT_SCHEME_INVALID', 'A URI scheme is not a private-use scheme in reverse-domain form (RFC 8252 §7.1: lower case, dot-separated, no control characters); nothing was registered or opened.');
  }
  return scheme as string;
}

/** The app's own scheme and `schemes`, each checked, each once: all are checked before anything is done. */
function assertSchemes(schemes: readonly unknown[]): string[] {
  return [...new Set([APP_SCHEME, ...schemes.map(assertScheme)])];
}

/**
 * One argument of a desktop entry's Exec line: as it is when it has only plain characters, else quoted
 * per the Desktop Entry spec (inside double quotes `"`, `` ` ``, `$` and `\` escaped, then the string
 * escape of `\`); `%` doubled, since it starts a field code.
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html
 */
export function desktopExecArgument(arg: string): string {
  const literal = arg.replaceAll('%', '%%');
  if (/^[A-Za-z0-9_\-./:+@,]+$/.test(arg)) return literal;
  return `"${literal.replace(/[\\"`$]/g, '\\$&')}"`.replaceAll('\\', '\\\\');
}

/** The Exec line: the app's command, `--`, and the URLs (`%U`); a command a desktop entry cannot carry is refused. */
function execLine(command: readonly string[]): string {
  const [program] = command;
  const refuse = (why: string): never => {
    throw new DeskError('SCHEME_REGISTRATION_FAILED', `The app's command cannot be written to a desktop entry: ${why}.`);
  };
  if (program === undefined || program === '') return refuse('it is empty');
  if (command.some((arg) => typeof arg !== 'string' || /[\x00-\x1f\x7f]/.test(arg))) return refuse('it contains control characters');
  if (program.includes('=')) return refuse('the program path contains "="');
  return [...command.map(desktopExecArgument), '--', '%U'].join(' ');
}

/** The Linux desktop entry that hands `schemes` to the app: hidden from menus, one `x-scheme-handler/` type each. */
export function desktopEntry(exec: string, schemes: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=OIDC Desk',
    'Comment=Receives sign-in redirects for OIDC Desk',
    `Exec=${exec}`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=${schemes.map((s) => `x-scheme-handler/${s};`).join('')}`,
    '',
  ].join('\n');
}

/** A short, value-free reason for a failed command. */
function commandProblem(name: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return `${name} is not installed (package xdg-utils)`;
  if (typeof code === 'number') return `${name} exited with status ${code}`;
  return `${name} did not finish`;
}

/** What the Linux registration does: the entry, xdg-mime, update-desktop-database. */
function linuxHost(deps: SchemeRegistryDeps): Pick<SchemeHost, 'register' | 'status'> {
  const exec = execLine(deps.command);
  const applications = join(deps.dataHome, 'applications');
  const entryPath = join(applications, DESKTOP_FILE_ID);
  const failures = new Map<string, string>();
  const run = (file: string, args: readonly string[]) => deps.exec(file, args, { timeoutMs: EXEC_TIMEOUT_MS });

  /** True when our entry is a regular file (not a link) that lists the scheme. */
  const entryLists = async (scheme: string): Promise<boolean> => {
    const st = await lstat(entryPath).catch(() => undefined);
    if (st === undefined || !st.isFile()) return false;
    const text = await readFile(entryPath, 'utf8').catch(() => '');
    const mime = /^MimeType=(.*)$/m.exec(text)?.[1] ?? '';
    return mime.split(';').includes(`x-scheme-handler/${scheme}`);
  };

  return {
    async register(schemes) {
      const all = assertSchemes(schemes);
      await writeDataFileAtomic(entryPath, desktopEntry(exec, all));
      const problems: string[] = [];
      for (const scheme of all) {
        try {
          await run('xdg-mime', ['default', DESKTOP_FILE_ID, `x-scheme-handler/${scheme}`]);
          failures.delete(scheme);
        } catch (error) {
          const problem = commandProblem('xdg-mime', error);
          failures.set(scheme, problem);
          problems.push(problem);
        }
      }
      // Refreshes the desktop's cache of handlers where the tool exists; xdg-mime does not need it.
      await run('update-desktop-database', [applications]).catch(() => undefined);
      if (problems.length > 0) {
        throw new DeskError('SCHEME_REGISTRATION_FAILED', `${problems.length} of ${all.length} URI schemes could not be registered: ${problems[0]}.`);
      }
    },

    async status(scheme) {
      assertScheme(scheme);
      let handler: string;
      try {
        handler = (await run('xdg-mime', ['query', 'default', `x-scheme-handler/${scheme}`])).stdout.trim();
      } catch (error) {
        return { registered: 'unknown', detail: `The desktop could not be asked: ${commandProblem('xdg-mime', error)}.` };
      }
      const failed = failures.get(scheme);
      const lastFailure = failed === undefined ? '' : ` The last registration failed: ${failed}.`;
      if (handler === '') return { registered: 'no', detail: `No application is registered for this scheme.${lastFailure}` };
      if (handler !== DESKTOP_FILE_ID) return { registered: 'no', handler, detail: `Another application is registered for this scheme.${lastFailure}` };
      if (!(await entryLists(scheme))) {
        return { registered: 'no', handler, detail: 'The desktop names OIDC Desk, but its entry is missing or does not list this scheme: save the profile again to register it.' };
      }
      return { registered: 'yes', handler, detail: 'The desktop hands this scheme to OIDC Desk.' };
    },
  };
}

/** What Windows and macOS registration does, through Electron's `app`. */
function electronHost(deps: SchemeRegistryDeps): Pick<SchemeHost, 'register' | 'status'> {
  const [program, ...args] = deps.command;
  if (program === undefined || program === '') throw new DeskError('SCHEME_REGISTRATION_FAILED', "The app's command is empty.");
  // Windows writes `"program" args... "--" "%1"` to the registry; macOS ignores path and args (Info.plist decides).
  const target = [program, [...args, '--']] as const;
  return {
    async register(schemes) {
      const all = assertSchemes(schemes);
      const refused = all.filter((scheme) => !deps.app.setAsDefaultProtocolClient(scheme, target[0], [...target[1]]));
      if (refused.length > 0) {
        const mac = deps.platform === 'darwin' ? ' On macOS only the schemes in the app’s Info.plist can be registered.' : '';
        throw new DeskError('SCHEME_REGISTRATION_FAILED', `${refused.length} of ${all.length} URI schemes could not be registered.${mac}`);
      }
    },

    async status(scheme) {
      assertScheme(scheme);
      try {
        const ours = deps.app.isDefaultProtocolClient(scheme, target[0], [...target[1]]);
        const name = deps.app.getApplicationNameForProtocol(`${scheme}://`);
        const handler = name === '' ? {} : { handler: name };
        if (ours) return { registered: 'yes', ...handler, detail: 'The operating system hands this scheme to OIDC Desk.' };
        return { registered: 'no', ...handler, detail: name === '' ? 'No application is registered for this scheme.' : 'Another application is registered for this scheme.' };
      } catch {
        return { registered: 'unknown', detail: 'The operating system could not be asked.' };
      }
    },
  };
}

/**
 * The scheme registry of the desktop app. Linux: one desktop entry `oidc-desk-url-handler.desktop` in
 * `$XDG_DATA_HOME/applications` (written atomically, never through a link) listing the app's scheme and
 * every profile's, made the default with `xdg-mime`. Windows and macOS: `app.setAsDefaultProtocolClient`.
 * Every scheme is checked with `isReverseDomainScheme` before any file or command sees it.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function createSchemeRegistry(deps: SchemeRegistryDeps): SchemeRegistry {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.selfTestTimeoutMs ?? DEFAULT_SELF_TEST_TIMEOUT_MS;
  const os = deps.platform === 'win32' || deps.platform === 'darwin' ? electronHost(deps) : linuxHost(deps);
  /** Self-tests waiting for their URL, by nonce. */
  const pending = new Map<string, { readonly scheme: string; arrived(): void }>();

  const accept = (url: unknown): boolean => {
    if (typeof url !== 'string' || url.length > MAX_SELF_TEST_URL_LENGTH) return false;
    const match = SELF_TEST_URL.exec(url);
    if (match === null) return false;
    const [, scheme = '', nonce = ''] = match;
    const waiting = pending.get(nonce);
    if (waiting === undefined || waiting.scheme !== scheme.toLowerCase()) return false;
    pending.delete(nonce);
    waiting.arrived();
    return true;
  };

  return {
    register: (schemes) => os.register(schemes),
    status: (scheme): Promise<SchemeRegistration> => os.status(scheme),
    accept,
    intercept: (url) => accept(url) || isSelfTestUrl(url),

    async selfTest(scheme) {
      const checked = assertScheme(scheme);
      const nonce = randomBytes(16).toString('base64url');
      const started = now();
      let timer: NodeJS.Timeout | undefined;
      const arrival = new Promise<boolean>((resolve) => {
        pending.set(nonce, { scheme: checked, arrived: () => resolve(true) });
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        try {
          await deps.openExternal(`${checked}:${SELF_TEST_PATH}?nonce=${nonce}`);
        } catch (error) {
          throw new DeskError('SCHEME_REGISTRATION_FAILED', 'The operating system could not open the self-test link: no application may be registered for this scheme.', { cause: error });
        }
        if (!(await arrival)) {
          throw new DeskError('SCHEME_TEST_TIMEOUT', `The self-test link did not come back within ${Math.round(timeoutMs / 1000)} s: the operating system hands this scheme to another program, or to none.`);
        }
        return { waitedMs: now() - started };
      } finally {
        clearTimeout(timer);
        pending.delete(nonce);
      }
    },
  };
}
