/** The real Linux OS hand-off of `dev.oidcdesk:` links: a private Xvfb display, a private XDG registration of a .desktop handler, headful Chromium, and a channel that delivers what the handler received. */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';


const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const DEFAULT_SCHEME = 'dev.oidcdesk';
/** The desktop file id: the app id, as a packaged install would name it. */
const DESKTOP_FILE_ID = 'dev.oidcdesk.app.desktop';
const RECEIVER = fileURLToPath(new URL('./handoff-receiver.ts', import.meta.url));

/**
 * How the .desktop Exec line passes the URL:
 * - `dash-dash`: `Exec=<app> -- %u`, the form SECURITY.md asks for (only the argument after `--` counts);
 * - `plain`: `Exec=<app> %U`, what electron-builder's `protocols` option generates by default.
 */
export type ExecForm = 'dash-dash' | 'plain';

export interface HandoffOptions {
  /** Default `dev.oidcdesk`. */
  readonly scheme?: string;
  /** Default `dash-dash`. */
  readonly execForm?: ExecForm;
  /** Default $OIDC_DESK_CHROMIUM or /usr/bin/chromium. */
  readonly chromiumPath?: string;
}

/** What one start of the handler saw. */
export interface Handoff {
  /** The deep link `extractDeepLink` found in argv, or null when it found none. */
  readonly deepLink: string | null;
  /** The handler's whole argv (argv[0] is the executable). */
  readonly argv: readonly string[];
}

export interface LaunchBrowserOptions {
  /**
   * Origins allowed to open the scheme without Chromium's "Open xdg-open?" prompt, e.g. the provider's
   * `http://127.0.0.1:PORT` (the origin of the page that redirects to the scheme).
   */
  readonly allowedOrigins: readonly string[];
}

export interface HandoffEnvironment {
  /** The Xvfb display, e.g. `:123`. */
  readonly display: string;
  /** The environment Chromium and xdg-open run with (private HOME, XDG dirs, DISPLAY, XAUTHORITY). */
  readonly env: NodeJS.ProcessEnv;
  /** The registered .desktop file and its Exec line. */
  readonly desktopFile: string;
  readonly execLine: string;
  /** The next start of the handler (queued if it already happened); rejects after `timeoutMs`. */
  nextHandoff(timeoutMs: number): Promise<Handoff>;
  /** The next deep link the handler received; rejects after `timeoutMs` or when the handler found none. */
  nextDeepLink(timeoutMs: number): Promise<string>;
  /**
   * Headful Chromium on the Xvfb display with a fresh profile whose Preferences pre-allow
   * `allowedOrigins` to open the scheme. A persistent context: Chromium only reads a profile's
   * Preferences from a user-data-dir, which `chromium.launch()` does not accept.
   */
  launchBrowser(opts: LaunchBrowserOptions): Promise<BrowserContext>;
  /** Runs `xdg-open url` in the private environment (what the app does to open the system browser). */
  xdgOpen(url: string): Promise<number | null>;
  /** Closes every browser, stops Xvfb, removes the private directories; idempotent. */
  stop(): Promise<void>;
}

function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path !== '' ? path : undefined;
}

/** Why the hand-off cannot run on this machine, or undefined when it can. */
export function handoffSkipReason(opts: { chromiumPath?: string } = {}): string | undefined {
  if (process.platform !== 'linux') return `the xdg hand-off runs on Linux only (this is ${process.platform})`;
  const missing = ['Xvfb', 'xauth', 'xdg-mime', 'xdg-open', 'desktop-file-validate'].filter((bin) => which(bin) === undefined);
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (packages xvfb xauth xdg-utils desktop-file-utils)`;
  const chromiumPath = opts.chromiumPath ?? process.env.OIDC_DESK_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromiumPath)) return `Chromium not found at ${chromiumPath} (package chromium)`;
  return undefined;
}

/** A path safe to put in an Exec line unquoted (xdg-open's generic mode splits Exec on whitespace, no quoting). */
function assertExecSafe(value: string): string {
  if (!/^[A-Za-z0-9_\-./:+=@,]+$/.test(value)) {
    throw new Error(`xdg-handoff: "${value}" cannot be used in a .desktop Exec line here (spaces or reserved characters)`);
  }
  return value;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 3_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 3_000);
  }
}

/** Starts Xvfb on a free display with a private MIT cookie; resolves once it accepts connections. */
export async function startXvfb(authFile: string, env: NodeJS.ProcessEnv): Promise<{ display: string; xvfb: ChildProcess }> {
  let lastError = '';
  const first = 100 + Math.floor(Math.random() * 800);
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = first + attempt;
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const display = `:${n}`;
    const cookie = randomBytes(16).toString('hex');
    const added = run('xauth', ['-f', authFile, 'add', display, '.', cookie], env);
    if (added.status !== 0) throw new Error(`xdg-handoff: xauth failed: ${added.out}`);
    const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-auth', authFile, '-displayfd', '3'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    xvfb.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const fd3 = xvfb.stdio[3];
      if (fd3 && 'on' in fd3) {
        fd3.on('data', () => {
          clearTimeout(timer);
          resolve(true);
        });
      }
      xvfb.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
      xvfb.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ready) return { display, xvfb };
    await killProcess(xvfb);
    lastError = stderr.trim().split('\n').slice(-3).join(' | ');
  }
  throw new Error(`xdg-handoff: Xvfb did not start on any free display: ${lastError}`);
}

/** The .desktop entry of the stand-in app, launched like the packaged app. */
function desktopEntry(execLine: string, scheme: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=OIDC Desk (hand-off test)',
    `Comment=Receives ${scheme}: links for the OS hand-off test`,
    `Exec=${execLine}`,
    'Terminal=false',
    'NoDisplay=true',
    `MimeType=x-scheme-handler/${scheme};`,
    '',
  ].join('\n');
}

/** Profile Preferences that let `origins` open `scheme` without the "Open ...?" prompt. */
export function handoffPreferences(origins: readonly string[], scheme: string): object {
  const pairs: Record<string, Record<string, boolean>> = {};
  for (const origin of origins) pairs[new URL(origin).origin] = { [scheme]: true };
  return {
    protocol_handler: { allowed_origin_protocol_pairs: pairs },
    browser: { has_seen_welcome_page: true, check_default_browser: false },
  };
}

/**
 * Builds the private desktop session. Throws (after cleaning up) if any step fails; call
 * {@link handoffSkipReason} first to tell "cannot run here" from "broken".
 */
export async function startHandoffEnvironment(opts: HandoffOptions = {}): Promise<HandoffEnvironment> {
  const scheme = opts.scheme ?? DEFAULT_SCHEME;
  const execForm = opts.execForm ?? 'dash-dash';
  const chromiumPath = opts.chromiumPath ?? process.env.OIDC_DESK_CHROMIUM ?? DEFAULT_CHROMIUM;
  const skip = handoffSkipReason({ chromiumPath });
  if (skip !== undefined) throw new Error(`xdg-handoff: ${skip}`);

  const root = mkdtempSync(join(tmpdir(), 'oidc-desk-handoff-'));
  const dirs = {
    home: join(root, 'home'),
    data: join(root, 'data'),
    config: join(root, 'config'),
    cache: join(root, 'cache'),
    runtime: join(root, 'runtime'),
    profiles: join(root, 'profiles'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dirs.runtime, 0o700);
  const authFile = join(root, 'Xauthority');
  writeFileSync(authFile, '', { mode: 0o600 });

  const token = randomBytes(24).toString('hex');
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  // A desktop session here would send xdg-open to gio/kde-open instead of the generic .desktop lookup.
  for (const name of ['XDG_CURRENT_DESKTOP', 'XDG_SESSION_DESKTOP', 'DESKTOP_SESSION', 'KDE_FULL_SESSION',
    'GNOME_DESKTOP_SESSION_ID', 'MATE_DESKTOP_SESSION_ID', 'WAYLAND_DISPLAY', 'DISPLAY', 'XAUTHORITY', 'BROWSER']) {
    delete baseEnv[name];
  }
  Object.assign(baseEnv, {
    HOME: dirs.home,
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.runtime,
    XDG_DATA_DIRS: '/usr/local/share:/usr/share',
    XDG_CONFIG_DIRS: '/etc/xdg',
    // If the registration were missing, xdg-open would fall back to starting a browser: fail instead.
    BROWSER: '/bin/false',
    XAUTHORITY: authFile,
    OIDC_DESK_HANDOFF_TOKEN: token,
    OIDC_DESK_HANDOFF_SCHEMES: scheme,
  });

  const browsers = new Set<BrowserContext>();
  let xvfb: ChildProcess | undefined;
  let reportServer: ReturnType<typeof createServer> | undefined;
  const onExit = (): void => {
    // Last resort if the test process dies without stop(): never leave an X server behind.
    if (xvfb && xvfb.exitCode === null && xvfb.signalCode === null) xvfb.kill('SIGKILL');
  };
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all([...browsers].map((b) => b.close().catch(() => undefined)));
      browsers.clear();
      if (reportServer) {
        const server = reportServer;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      if (xvfb) await killProcess(xvfb);
      process.off('exit', onExit);
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };

  try {
    // The channel the handler reports on: loopback HTTP, authenticated by a per-environment token.
    const queue: Handoff[] = [];
    const waiters: ((h: Handoff) => void)[] = [];
    const deliver = (h: Handoff): void => {
      const waiter = waiters.shift();
      if (waiter) waiter(h);
      else queue.push(h);
    };
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST' || req.url !== '/handoff' || req.headers['x-handoff-token'] !== token) {
        res.writeHead(404).end();
        return;
      }
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 64 * 1024) req.destroy();
      });
      req.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || !('argv' in parsed) || !('deepLink' in parsed)) {
          res.writeHead(400).end();
          return;
        }
        const { argv, deepLink } = parsed;
        if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string') || (deepLink !== null && typeof deepLink !== 'string')) {
          res.writeHead(400).end();
          return;
        }
        deliver({ argv, deepLink });
        res.writeHead(204).end();
      });
    });
    reportServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('xdg-handoff: report server has no port');
    baseEnv.OIDC_DESK_HANDOFF_REPORT_URL = `http://127.0.0.1:${address.port}/handoff`;

    const started = await startXvfb(authFile, baseEnv);
    xvfb = started.xvfb;
    const display = started.display;
    const env: NodeJS.ProcessEnv = { ...baseEnv, DISPLAY: display };

    // The handler: node + tsx running the receiver, with argv shaped like the packaged app's.
    const tsxLoader = import.meta.resolve('tsx');
    const app = [process.execPath, '--import', tsxLoader, RECEIVER].map(assertExecSafe).join(' ');
    const execLine = execForm === 'dash-dash' ? `${app} -- %u` : `${app} %U`;
    const applications = join(dirs.data, 'applications');
    mkdirSync(applications, { recursive: true });
    const desktopFile = join(applications, DESKTOP_FILE_ID);
    writeFileSync(desktopFile, desktopEntry(execLine, scheme));

    const validated = run('desktop-file-validate', [desktopFile], env);
    if (validated.status !== 0) throw new Error(`xdg-handoff: desktop-file-validate rejected ${DESKTOP_FILE_ID}: ${validated.out}`);
    if (which('update-desktop-database')) run('update-desktop-database', [applications], env);
    const registered = run('xdg-mime', ['default', DESKTOP_FILE_ID, `x-scheme-handler/${scheme}`], env);
    if (registered.status !== 0) throw new Error(`xdg-handoff: xdg-mime default failed: ${registered.out}`);
    const queried = run('xdg-mime', ['query', 'default', `x-scheme-handler/${scheme}`], env);
    if (queried.out !== DESKTOP_FILE_ID) throw new Error(`xdg-handoff: xdg-mime reports "${queried.out}" as the ${scheme} handler`);

    const nextHandoff = (timeoutMs: number): Promise<Handoff> => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<Handoff>((resolve, reject) => {
        const waiter = (h: Handoff): void => {
          clearTimeout(timer);
          resolve(h);
        };
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i !== -1) waiters.splice(i, 1);
          reject(new Error(`xdg-handoff: the ${scheme} handler was not started within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    };

    let profileCount = 0;
    return {
      display,
      env,
      desktopFile,
      execLine,
      nextHandoff,
      nextDeepLink: async (timeoutMs) => {
        const h = await nextHandoff(timeoutMs);
        // Never put the argv in the message: in a full sign-in it holds a real authorization code.
        if (h.deepLink === null) throw new Error(`xdg-handoff: the handler started but found no ${scheme} link in its ${h.argv.length} arguments`);
        return h.deepLink;
      },
      launchBrowser: async ({ allowedOrigins }) => {
        if (stopping) throw new Error('xdg-handoff: the environment is stopped');
        profileCount += 1;
        const userDataDir = join(dirs.profiles, `profile-${profileCount}`);
        mkdirSync(join(userDataDir, 'Default'), { recursive: true });
        writeFileSync(join(userDataDir, 'Default', 'Preferences'), JSON.stringify(handoffPreferences(allowedOrigins, scheme)));
        const context = await chromium.launchPersistentContext(userDataDir, {
          executablePath: chromiumPath,
          headless: false,
          args: [...CHROMIUM_ARGS],
          env,
          timeout: 30_000,
        });
        browsers.add(context);
        context.once('close', () => browsers.delete(context));
        return context;
      },
      xdgOpen: (url) => new Promise((resolve) => {
        const child = spawn('xdg-open', [url], { env, stdio: 'ignore' });
        child.once('error', () => resolve(null));
        child.once('exit', (code) => resolve(code));
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
