/**
 * The desktop window's app wrapper for browser tests: the real `oidc-desk ui` (browser mode over the real
 * core, the real keychain under a service of its own, its own data directory) opened in Chromium, driven by
 * intent methods (`signIn('alice')`, `expectSession('alice')`, `refresh()`, `signOut()` ...). The provider's
 * pages are driven in a second page, as a person would in a second tab. The intent methods that only touch
 * the window ({@link DeskWindow}) work on any page showing it: browser mode's tab here, or the Electron
 * window (test/harness/electron-app.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { DeskEvent } from '../../src-main/core/contract.ts';
import { launchChromium } from './browser.ts';
import { BIN, Cli, KEYRING, NO_KEYRING, ROOT, killGroup } from './cli-runner.ts';
import { recordSecrets } from './secrets-ledger.ts';

const CHROMIUM = process.env['OIDC_DESK_CHROMIUM'] ?? '/usr/bin/chromium';
/** Why the window's tests cannot run here (no Chromium, no test keyring), or false when they can. */
export const APP_SKIP: string | false = !existsSync(CHROMIUM) ? `needs Chromium at ${CHROMIUM}` : !KEYRING ? NO_KEYRING : false;

/** Where the tests write their screenshots (`OIDC_DESK_SCREENSHOTS`, else a folder in the temporary directory). */
export const SCREENSHOT_DIR = process.env['OIDC_DESK_SCREENSHOTS'] ?? join(tmpdir(), 'oidc-desk-screenshots');
/** Limit of every single wait in the window; generous, for a loaded machine. Not a timing assertion. */
export const WAIT_MS = 30_000;
/** The demo provider's accounts. */
export const PASSWORDS: Readonly<Record<string, string>> = { alice: 'alice-password', bob: 'bob-password' };
/** Display names of the demo accounts (their `name` claim), as the session list shows them. */
export const ACCOUNTS: Readonly<Record<string, string>> = { alice: 'Alice Example', bob: 'Bob Example' };

const RENDERER_SOURCES = join(ROOT, 'src-renderer');
const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

let built: Promise<void> | undefined;

/**
 * Builds the production renderer into dist/renderer/ (what `oidc-desk ui` serves) when it is missing or
 * older than its sources: `npm test` builds the CLI, and these tests must see the renderer of the same tree.
 */
export function ensureRendererBuilt(): Promise<void> {
  built ??= (async () => {
    const sources = Math.max(await newestMtime(RENDERER_SOURCES), (await stat(join(ROOT, 'vite.config.ts'))).mtimeMs);
    const index = await stat(RENDERER_INDEX).then((s) => s.mtimeMs, () => 0);
    if (index >= sources) return;
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  })();
  return built;
}

/** An axe-core violation, as far as the tests report it. */
export interface Violation {
  readonly id: string;
  readonly impact: string | null | undefined;
  readonly help: string;
  readonly targets: readonly string[];
}

/** What {@link DeskApp.open} takes. */
export interface AppOptions {
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Prepares the data directory before `oidc-desk ui` starts (e.g. a damaged file). */
  readonly prepare?: (dataDir: string) => Promise<void>;
}

/**
 * The window on any page that shows it (a browser-mode tab, the Electron window): the intent methods that
 * touch only the window. `base` is the window's address without its `#/...` part.
 */
export class DeskWindow {
  /** Script errors the page raised (there must be none). */
  readonly pageErrors: string[] = [];
  /** Dialogs (alert, confirm) the page opened: hostile text must never open one. */
  readonly dialogs: string[] = [];

  constructor(readonly page: Page, readonly base: string) {
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }

  /** Waits for the window to be drawn. */
  async ready(): Promise<void> {
    await this.page.locator('.app-header').waitFor();
  }

  /** Opens a view by its address, e.g. `#/profiles/new`. */
  async goto(hash: string): Promise<void> {
    await this.page.goto(`${this.base}${hash}`);
    await this.ready();
  }

  /** Clicks a link of the header's navigation. */
  async nav(label: 'Sessions' | 'Profiles' | 'Flow guide' | 'Status'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: label }).click();
  }

  /** Starts collecting every DeskEvent the page hears (through its own `window.oidcDesk`). */
  async recordEvents(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as unknown as { recorded?: string[]; oidcDesk: { subscribe(l: (e: unknown) => void): () => void } };
      w.recorded = [];
      w.oidcDesk.subscribe((e) => w.recorded?.push(JSON.stringify(e)));
    });
  }

  /** The events recorded since {@link recordEvents}, as JSON text. */
  async recordedEvents(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { recorded?: string[] }).recorded ?? []);
  }

  /** The page's `window.oidcDesk.listSessions()` result (through browser mode, as the window gets it). */
  async sessions(): Promise<{ id: string; subject: string; displayName?: string }[]> {
    const result = await this.page.evaluate(() => (window as unknown as { oidcDesk: { listSessions(): Promise<unknown> } }).oidcDesk.listSessions());
    const r = result as { ok: boolean; value?: { id: string; subject: string; displayName?: string }[] };
    assert.ok(r.ok, 'listSessions');
    return r.value ?? [];
  }

  /** A sign-in started here opens its session's tokens: waits for a session not in `before`, and its id. */
  protected async newSessionShown(before: ReadonlySet<string>): Promise<string> {
    const page = this.page;
    await page.waitForFunction((known) => {
      const id = document.querySelector<HTMLElement>('section.session-detail')?.dataset['session'];
      return id !== undefined && !known.includes(id);
    }, [...before]);
    const id = await page.locator('section.session-detail').getAttribute('data-session');
    assert.ok(id !== null && /^s-[0-9a-f]{8}$/.test(id), 'the new session is shown');
    return id;
  }

  /**
   * Makes a profile in the profile editor as a person would: a preset, then the fields; Save. Resolves once
   * the profile list shows it.
   */
  async addProfile(profile: {
    readonly preset?: string;
    readonly name: string;
    readonly issuer: string;
    readonly clientId: string;
    readonly scopes?: string;
    readonly allowHttpLoopback?: boolean;
    readonly redirect?: string;
    readonly params?: string;
  }): Promise<void> {
    const page = this.page;
    await this.goto(`#/profiles/new${profile.preset === undefined ? '' : `?preset=${profile.preset}`}`);
    const form = page.locator('section.profile-editor form');
    await form.getByLabel('Name', { exact: true }).fill(profile.name);
    await form.getByLabel('Issuer', { exact: true }).fill(profile.issuer);
    await form.getByLabel('Client id', { exact: true }).fill(profile.clientId);
    if (profile.scopes !== undefined) await form.getByLabel('Scopes', { exact: true }).fill(profile.scopes);
    if (profile.allowHttpLoopback === true) await form.getByLabel(/Allow an http issuer/).check();
    if (profile.redirect !== undefined) {
      await form.getByLabel(/^Another URI/).check();
      await form.getByLabel('Redirect URI', { exact: true }).fill(profile.redirect);
    }
    if (profile.params !== undefined) await form.getByLabel('Extra authorization parameters').fill(profile.params);
    await form.getByRole('button', { name: 'Save profile' }).click();
    await page.locator(`table.profiles tr[data-profile="${profile.name}"]`).waitFor();
  }

  /** The row of the session whose account reads `account` (a demo user name, or any account text). */
  sessionRow(account: string): Locator {
    return this.page.locator('.session-row').filter({ has: this.page.getByRole('rowheader').getByRole('link', { name: ACCOUNTS[account] ?? account, exact: true }) });
  }

  /** Waits until the session list shows `account`; resolves with its session id. */
  async expectSession(account: string): Promise<string> {
    const row = this.sessionRow(account);
    await row.waitFor();
    const id = await row.getAttribute('data-session');
    assert.ok(id !== null, `a session of ${account} is listed`);
    return id;
  }

  /** Opens a session's detail on one of its tabs. */
  async openSession(account: string, tab: 'Tokens' | 'Userinfo' | 'Timeline' = 'Tokens'): Promise<void> {
    await this.goto('#/sessions');
    await this.sessionRow(account).getByRole('rowheader').getByRole('link').click();
    await this.page.locator('section.session-detail').waitFor();
    await this.tab(tab);
  }

  /** Switches the open session's tab. */
  async tab(tab: 'Tokens' | 'Userinfo' | 'Timeline'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Session views' }).getByRole('link', { name: tab }).click();
  }

  /** Refreshes the open session and waits for what the refresh changed. */
  async refresh(): Promise<Locator> {
    const detail = this.page.locator('section.session-detail');
    await detail.getByRole('button', { name: 'Refresh', exact: true }).click();
    const changes = detail.locator('[data-refresh-changes]');
    await changes.waitFor();
    return changes;
  }

  /** Signs out the session of `account` from its row, and waits until it is gone. */
  async signOut(account: string): Promise<Locator> {
    await this.goto('#/sessions');
    const row = this.sessionRow(account);
    await row.getByRole('button', { name: /^Sign out/ }).click();
    await row.waitFor({ state: 'detached' });
    const notice = this.page.locator('[data-signed-out]');
    await notice.waitFor();
    return notice;
  }

  /** The error notice with `code` (waits for it). */
  async expectError(code: string): Promise<Locator> {
    const notice = this.page.locator(`.notice--error[data-code="${code}"]`).first();
    await notice.waitFor();
    return notice;
  }

  /** Writes `<name>-light.png` and `<name>-dark.png` (the page as the OS theme would show it). */
  async screenshot(name: string, options: { readonly fullPage?: boolean } = {}): Promise<void> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme: scheme });
      const file = join(SCREENSHOT_DIR, `${name}-${scheme}.png`);
      await this.page.screenshot({ path: file, fullPage: options.fullPage ?? true, animations: 'disabled' });
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
  }

  /** Runs axe-core on the page in the light and the dark theme; resolves with the serious and critical violations. */
  async accessibility(): Promise<Violation[]> {
    const found: Violation[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme: scheme });
      const results = await new AxeBuilder({ page: this.page }).analyze();
      for (const v of results.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          found.push({ id: `${v.id} (${scheme})`, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) });
        }
      }
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
    return found;
  }

  /** Asserts that axe-core finds no serious or critical violation on the view shown, in either theme. */
  async assertAccessible(view: string): Promise<void> {
    const violations = await this.accessibility();
    assert.deepEqual(violations, [], `axe-core on ${view}: ${JSON.stringify(violations, null, 1)}`);
  }

}

/** One browser-mode window over its own data directory and keychain service. */
export class DeskApp extends DeskWindow {
  /** Every answer of the API the page received (bodies of `/api/*`), to look for secrets. */
  readonly apiBodies: string[] = [];

  private constructor(
    readonly cli: Cli,
    private readonly ui: ChildProcess,
    private readonly browser: Browser,
    readonly context: BrowserContext,
    page: Page,
    readonly origin: string,
  ) {
    super(page, `${origin}/`);
  }

  /** Starts `oidc-desk ui --no-open` and opens its connection URL in Chromium. */
  static async open(options: AppOptions = {}): Promise<DeskApp> {
    await ensureRendererBuilt();
    const cli = await Cli.create();
    await options.prepare?.(cli.dataDir);
    const ui = spawn(process.execPath, [BIN, '--data-dir', cli.dataDir, 'ui', '--no-open', '--port', '0'], {
      cwd: ROOT, env: cli.env(), stdio: ['ignore', 'ignore', 'pipe'], detached: true,
    });
    let stderr = '';
    // The connection URL is on stderr (with --no-open); it carries the token, so it is never printed here.
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`oidc-desk ui printed no URL in ${WAIT_MS} ms`)), WAIT_MS);
      ui.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      ui.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`oidc-desk ui ended (${code ?? signal}) before printing its URL`));
      });
    }).catch((error: unknown) => {
      killGroup(ui, 'SIGTERM');
      throw error;
    });
    recordSecrets(new URL(url).searchParams.get('token'));
    const browser = await launchChromium();
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, colorScheme: 'light', acceptDownloads: true });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const app = new DeskApp(cli, ui, browser, context, page, new URL(url).origin);
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/') && response.request().method() === 'POST') {
        void response.text().then((body) => app.apiBodies.push(body), () => undefined);
      }
    });
    await page.goto(url);
    await page.waitForURL((u) => u.pathname === '/' && u.search === '');
    await app.ready();
    return app;
  }

  /**
   * Signs in as `user` through the provider's pages in a second page: starts the sign-in (the first-run
   * button, or the profile's Sign in button), follows the page's link to the provider, signs in and consents
   * there. Resolves with the new session's id once the window shows it (or with undefined when denied).
   */
  async signIn(user: string, options: {
    readonly profile?: string;
    readonly consent?: 'approve' | 'deny';
    readonly firstRun?: boolean;
    /** The provider shows no page and redirects back at once (a scripted test provider). */
    readonly noPages?: boolean;
    /** The sign-in is expected to fail: resolve once the provider sent the tab back. */
    readonly fails?: boolean;
  } = {}): Promise<string | undefined> {
    const page = this.page;
    const before = new Set((await this.sessions()).map((s) => s.id));
    await this.forgetProviderSession();
    if (options.firstRun === true) {
      await page.getByRole('button', { name: 'Sign in to the demo provider' }).click();
    } else {
      const profile = options.profile ?? 'demo';
      await this.goto('#/sessions');
      await page.locator(`section[data-profile="${profile}"]`).getByRole('button', { name: /^Sign in/ }).click();
    }
    const link = page.locator('.sign-in-pending').last().getByRole('link', { name: /Open the sign-in page/ });
    const [provider] = await Promise.all([this.context.waitForEvent('page'), link.click()]);
    try {
      if (options.noPages === true) {
        await provider.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { waitUntil: 'load' });
        return options.fails === true ? undefined : await this.newSessionShown(before);
      }
      await provider.waitForLoadState('domcontentloaded');
      const step = await provider.locator('body[data-step]').getAttribute('data-step');
      if (step === 'login') {
        await provider.locator('#username').fill(user);
        await provider.locator('#password').fill(PASSWORDS[user] ?? '');
        await provider.locator('#login-submit').click();
      }
      await provider.locator('body[data-step="consent"]').waitFor();
      await provider.locator(options.consent === 'deny' ? '#consent-deny' : '#consent-approve').click();
      // The provider sends the tab back to the core's loopback listener, which answers with its own page.
      await provider.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { waitUntil: 'load' });
    } finally {
      await provider.close();
    }
    if (options.consent === 'deny' || options.fails === true) return undefined;
    return this.newSessionShown(before);
  }

  /**
   * Signs the browser out of the provider (its cookies), keeping the window's own cookie: the next sign-in
   * shows the provider's login page, so it can be another user. Cookies do not tell ports apart, and the
   * provider and browser mode both live on 127.0.0.1.
   */
  async forgetProviderSession(): Promise<void> {
    const keep = (await this.context.cookies()).filter((c) => c.name === `oidc-desk-${new URL(this.origin).port}`);
    await this.context.clearCookies();
    await this.context.addCookies(keep);
  }

  /** Stops everything: the browser, `oidc-desk ui`, the demo provider of its data directory, the data directory. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    const exited = new Promise<void>((resolve) => {
      if (this.ui.exitCode !== null || this.ui.signalCode !== null) resolve();
      else this.ui.once('exit', () => resolve());
    });
    killGroup(this.ui, 'SIGTERM');
    await exited;
    await this.cli.run(['demo-idp', '--stop']);
    await rm(this.cli.dataDir, { recursive: true, force: true });
  }
}

/** The DeskEvents in recorded JSON text, parsed. */
export function parseEvents(recorded: readonly string[]): DeskEvent[] {
  return recorded.map((text) => JSON.parse(text) as DeskEvent);
}
