/**
 * The desktop app itself under Playwright's `_electron`: the real Electron binary running this repository
 * (package.json `main`), its data directory and keychain service given by `OIDC_DESK_DATA_DIR` and
 * `OIDC_DESK_KEYCHAIN_SERVICE`, its window driven by the same intent methods as browser mode's tab
 * ({@link DeskWindow}). The system browser is a stand-in `xdg-open` first on PATH (Electron's
 * `shell.openExternal` runs `xdg-open` on Linux), and a deep link arrives as the OS delivers it: a second
 * start of the same binary with `<app> -- <url>`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { electronBinary, mainProcessMissing } from '../../scripts/electron-binary.mjs';
import { APP_SKIP, DeskWindow, WAIT_MS, ensureRendererBuilt } from './app.ts';
import type { BrowserAgent } from './browser.ts';
import { Cli, ROOT, RUN_LIMIT_MS } from './cli-runner.ts';
import type { DemoUser } from './idp.ts';
import { recordSecrets, redirectSecrets } from './secrets-ledger.ts';
import { openerRan, pageTarget, type OpenerRecord, type StandInOpener } from './stand-in-opener.ts';
import { startXvfb } from './xdg-handoff.ts';

const binary = electronBinary();

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

function skipReason(): string | false {
  if (process.platform !== 'linux') return `the system-browser hand-off is intercepted through xdg-open, which is Linux only (this is ${process.platform})`;
  if (binary.missing !== undefined) return binary.missing;
  const main = mainProcessMissing();
  if (main !== undefined) return main;
  if (APP_SKIP !== false) return APP_SKIP;
  if (!(onPath('Xvfb') && onPath('xauth')) && !process.env['DISPLAY']) return 'needs a display: Xvfb and xauth (packages xvfb xauth), or DISPLAY';
  return false;
}

/** Why the Electron tests cannot run here, or false when they can. Nothing is launched when they cannot. */
export const ELECTRON_SKIP: string | false = skipReason();

/** Chromium refuses to start as root with its sandbox, and node_modules' chrome-sandbox is not setuid: Playwright adds this switch to the first start too. */
const SANDBOX_ARGS: readonly string[] = process.platform === 'linux' ? ['--no-sandbox'] : [];

/**
 * A test launcher, NOT Electron: runs the Electron binary with the arguments it was given, and copies its
 * stdout and stderr to a file as well (Playwright reads stderr for its own start-up lines), so that what
 * the main process printed before the test could listen is kept too.
 */
const LAUNCHER = `#!/bin/bash
exec "$OIDC_DESK_TEST_ELECTRON" "$@" > >(tee -a "$OIDC_DESK_TEST_ELECTRON_LOG") 2> >(tee -a "$OIDC_DESK_TEST_ELECTRON_LOG" >&2)
`;

/** The X display the app runs on: a private Xvfb when installed, else the session's DISPLAY. */
export interface Display {
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts a private Xvfb (or takes DISPLAY when Xvfb is not installed). */
export async function startDisplay(): Promise<Display> {
  if (!onPath('Xvfb') || !onPath('xauth')) {
    // The app gets a home of its own: name the session's X cookie file, which would be looked for there.
    const env = { DISPLAY: process.env['DISPLAY'] ?? '', XAUTHORITY: process.env['XAUTHORITY'] ?? join(homedir(), '.Xauthority') };
    return { env, stop: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-electron-x-'));
  const authFile = join(dir, 'Xauthority');
  await writeFile(authFile, '', { mode: 0o600 });
  const { display, xvfb } = await startXvfb(authFile, process.env);
  return {
    env: { DISPLAY: display, XAUTHORITY: authFile },
    stop: async () => {
      await stopChild(xvfb);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const limit = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(limit);
}

/** A start of the binary that ended by itself (a second instance hands its argv over and quits). */
export interface InstanceRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Its stdout and stderr. */
  readonly output: string;
}

/** What {@link ElectronDesk.launch} takes. */
export interface LaunchOptions {
  readonly display: Display;
  readonly opener: StandInOpener;
  /** Arguments after the app folder, e.g. `['--', url]` for a cold start with a deep link. */
  readonly afterRoot?: readonly string[];
  /** Prepares the user (profiles, ...) before the app starts. */
  readonly prepare?: (cli: Cli) => Promise<void>;
}

/** A sign-in through the app: what the system opener got, the redirect the provider sent, and its delivery. */
export interface AppSignIn {
  readonly sessionId: string;
  readonly handoff: OpenerRecord;
  readonly authorization: URL;
  readonly redirect: string;
  readonly delivery: InstanceRun;
}

/** The desktop app running from this repository, with its own data directory, keychain service and home. */
export class ElectronDesk extends DeskWindow {
  #printed: string | undefined;

  private constructor(
    readonly app: ElectronApplication,
    readonly cli: Cli,
    page: Page,
    base: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly home: string,
    private readonly logFile: string,
    private readonly opener: StandInOpener,
    private readonly openerLog: string,
  ) {
    super(page, base);
  }

  /** Starts the app (`electron <root> [...afterRoot]`) and waits for its window to be drawn. */
  static async launch(options: LaunchOptions): Promise<ElectronDesk> {
    if (binary.file === undefined) throw new Error(binary.missing);
    await ensureRendererBuilt();
    const cli = await Cli.create();
    await options.prepare?.(cli);
    const home = await mkdtemp(join(tmpdir(), 'oidc-desk-electron-home-'));
    const launcher = join(home, 'test-launcher-not-electron.sh');
    await writeFile(launcher, LAUNCHER);
    await chmod(launcher, 0o700);
    const logFile = join(home, 'output.log');
    const { env: openerEnv, log: openerLog } = await options.opener.env();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(cli.env({
      ...openerEnv,
      ...options.display.env,
      OIDC_DESK_DATA_DIR: cli.dataDir,
      // A home of its own: the single-instance lock and userData live under XDG_CONFIG_HOME, and whatever the
      // app registers with the desktop (xdg-mime defaults, desktop entries) stays out of the real one.
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      // Anything that went around xdg-open to a browser of its own would fail here.
      BROWSER: '/bin/false',
      OIDC_DESK_TEST_ELECTRON: binary.file,
      OIDC_DESK_TEST_ELECTRON_LOG: logFile,
      ELECTRON_RUN_AS_NODE: undefined,
      NODE_OPTIONS: undefined,
      WAYLAND_DISPLAY: undefined,
      XDG_CURRENT_DESKTOP: undefined,
    }))) {
      if (value !== undefined) env[key] = value;
    }
    let app: ElectronApplication | undefined;
    try {
      app = await _electron.launch({ executablePath: launcher, args: [ROOT, ...(options.afterRoot ?? [])], env, cwd: ROOT, timeout: WAIT_MS * 2 });
      app.context().setDefaultTimeout(WAIT_MS);
      const page = await app.firstWindow({ timeout: WAIT_MS });
      await page.locator('.app-header').waitFor();
      return new ElectronDesk(app, cli, page, page.url().split('#')[0] ?? '', env, home, logFile, options.opener, openerLog);
    } catch (error) {
      await app?.close().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
      await rm(cli.dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** True while the app's process runs. */
  get running(): boolean {
    const child = this.app.process();
    return child.exitCode === null && child.signalCode === null;
  }

  /** Everything the app's process printed so far (stdout and stderr); after {@link close}, all it printed. */
  output(): Promise<string> {
    if (this.#printed !== undefined) return Promise.resolve(this.#printed);
    return readFile(this.logFile, 'utf8').catch(() => '');
  }

  /**
   * Starts the same binary again as the OS does for a deep link (`<exe> <app> -- <url>`, the development form
   * of the registration), with `afterRoot` after the app folder; resolves once it ended by itself.
   */
  secondInstance(afterRoot: readonly string[]): Promise<InstanceRun> {
    const file = binary.file;
    if (file === undefined) throw new Error(binary.missing);
    const child = spawn(file, [...SANDBOX_ARGS, ROOT, ...afterRoot], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    // A safety net for a second instance that never quits, not a timing assertion.
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(limit);
        resolve({ code, signal, output });
      });
    });
  }

  /** Delivers a deep link as the OS would: a second instance with `-- <url>`. */
  deliver(url: string): Promise<InstanceRun> {
    return this.secondInstance(['--', url]);
  }

  /** Waits for the app to start the system opener, reads what it got, and makes room for the next one. */
  async nextHandoff(): Promise<OpenerRecord> {
    const record = await this.opener.record(this.openerLog);
    assert.ok(record.argv.length > 0, 'the app started the system opener (xdg-open)');
    for (const name of ['argv', 'pid', 'content', 'file-stat', 'dir-stat']) await rm(join(this.openerLog, name), { force: true });
    return record;
  }

  /** True when the system opener was started since the last {@link nextHandoff}. */
  openerStarted(): boolean {
    return openerRan(this.openerLog);
  }

  /**
   * Signs `user` in with `profile` (whose redirect is the app's scheme) from the window: its Sign in button,
   * the system opener's redirect file followed in Chromium through the provider's login and consent, and
   * the redirect delivered by a second instance. Resolves once the window shows the new session.
   */
  async signIn(browser: BrowserAgent, user: DemoUser, profile: string): Promise<AppSignIn> {
    const before = new Set((await this.sessions()).map((s) => s.id));
    await this.goto('#/sessions');
    await this.page.locator(`section[data-profile="${profile}"]`).getByRole('button', { name: /^Sign in/ }).click();
    const handoff = await this.nextHandoff();
    const authorization = pageTarget(handoff.content);
    recordSecrets(authorization.searchParams.get('state'), authorization.searchParams.get('nonce'));
    const redirectUri = authorization.searchParams.get('redirect_uri') ?? '';
    // As the browser the opener started would: open the file: URL; its meta refresh leads to the provider.
    const redirect = await browser.signIn(handoff.argv[0] ?? '', { username: user.username, password: user.password, redirectPrefix: redirectUri });
    recordSecrets(...redirectSecrets(redirect));
    const delivery = await this.deliver(redirect);
    const sessionId = await this.newSessionShown(before);
    return { sessionId, handoff, authorization, redirect, delivery };
  }

  /** Quits the app and removes its home and data directory, keeping what it printed (idempotent). */
  async close(): Promise<void> {
    if (this.#printed !== undefined) return;
    await this.app.close().catch(() => undefined);
    this.#printed = await this.output();
    await rm(this.home, { recursive: true, force: true });
    await rm(this.openerLog, { recursive: true, force: true });
    await rm(this.cli.dataDir, { recursive: true, force: true });
  }
}
