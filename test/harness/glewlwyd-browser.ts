/** A Chromium agent for Glewlwyd's own login web app: signs in with a password, grants the scopes, continues, captures the redirect. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_TIMEOUT_MS, captureRedirect, launchChromium, within } from './browser.ts';
import type { OpenBrowserOptions } from './browser.ts';
import { GLEWLWYD_PATHS } from './glewlwyd.ts';

export interface GlewlwydSignInOptions {
  readonly username: string;
  readonly password: string;
  /** The redirect URI without query, e.g. `http://127.0.0.1:PORT/callback`. */
  readonly redirectPrefix: string;
  /** Limit for every single wait; default 15 s. */
  readonly timeoutMs?: number;
}

/** What the login app shows: its password form, the scope grant, the "continue to the client" card, an error toast. */
export type GlewlwydStep = 'login' | 'grant' | 'continue' | 'error' | 'redirected';

export interface GlewlwydSignIn {
  /** The redirect URL, with its query. */
  readonly url: string;
  /** The pages walked through, in order, e.g. `['login', 'grant', 'continue']`. */
  readonly steps: readonly GlewlwydStep[];
}

/** The English texts the app renders, read from the package so a reworded translation does not break the agent. */
interface LoginTexts {
  readonly grant: string;
  readonly wish: string;
  readonly cantContinue: string;
}

function loginTexts(): LoginTexts {
  const fallback: LoginTexts = { grant: 'Grant access', wish: 'What do you wish for?', cantContinue: "You don't have the credentials to continue" };
  try {
    const parsed = JSON.parse(readFileSync(join(GLEWLWYD_PATHS.webapp, 'locales', 'en', 'translations.json'), 'utf8')) as { login?: Record<string, unknown> };
    const text = (key: string, otherwise: string): string => {
      const value = parsed.login?.[key];
      return typeof value === 'string' ? value : otherwise;
    };
    return { grant: text('grant', fallback.grant), wish: text('wish-message', fallback.wish), cantContinue: text('cant-continue-message', fallback.cantContinue) };
  } catch {
    return fallback;
  }
}

/**
 * In-page detection of the step shown, as source text: tsx would wrap a serialized function's inner
 * closures in a `__name` helper that does not exist in the page. Evaluates to null while the app renders.
 */
const STEP_SOURCE = `(t) => {
  const visible = (el) => el instanceof HTMLElement && el.offsetParent !== null;
  const body = document.body ? document.body.innerText : '';
  if (document.querySelector('.toast .text-danger') !== null || body.includes(t.cantContinue)) return 'error';
  if (visible(document.querySelector('#passwordForm #username'))) return 'login';
  const buttons = [...document.querySelectorAll('button')];
  if (document.querySelector('input[id^="grant-"]') !== null && buttons.some((b) => (b.textContent || '').trim() === t.grant)) return 'grant';
  // The Continue button also shows beside the grant form: only the "what do you wish for" card means all is granted.
  if (body.includes(t.wish) && buttons.some((b) => visible(b) && b.querySelector('.fa-play') !== null)) return 'continue';
  return null;
}`;

/** Waits until the single-page app shows a step it can be driven from. */
async function pageStep(page: Page, texts: LoginTexts, timeoutMs: number): Promise<Exclude<GlewlwydStep, 'redirected'>> {
  const handle = await page.waitForFunction(`(${STEP_SOURCE})(${JSON.stringify(texts)})`, undefined, { timeout: timeoutMs, polling: 100 });
  return (await handle.jsonValue()) as Exclude<GlewlwydStep, 'redirected'>;
}

async function errorText(page: Page): Promise<string> {
  const text = await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Runs one authorization request in a fresh context of `browser`: password login, grant of every requested
 * scope, Continue; resolves with the redirect URL once the client's loopback server answered.
 */
export async function signInWithGlewlwyd(browser: Browser, authorizationUrl: string, opts: GlewlwydSignInOptions): Promise<GlewlwydSignIn> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const texts = loginTexts();
  const context = await browser.newContext({ locale: 'en-US' });
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  try {
    const page = await context.newPage();
    const redirect = captureRedirect(page, opts.redirectPrefix, timeoutMs);
    let status: number | undefined;
    page.on('response', (r) => {
      if (status === undefined && r.request().isNavigationRequest() && r.url() === authorizationUrl) status = r.status();
    });
    // Chromium fails the navigation itself on an error status with an empty body; its message quotes the
    // URL (state, nonce), so it is replaced by one without it.
    const failure = await page.goto(authorizationUrl, { waitUntil: 'commit' }).then(() => undefined, (err: unknown) => err);
    if (!redirect.isCaptured() && (failure !== undefined || (status !== undefined && status >= 400))) {
      const why = status === 403 ? ' (a redirect URI that is not registered, port included?)' : '';
      const what = status === undefined ? `no answer (${failure instanceof Error ? (failure.message.split(' at ')[0] ?? '') : 'unknown error'})` : `HTTP ${status}${why}`;
      throw new Error(`browser agent: Glewlwyd refused the authorization request: ${what}`);
    }
    const next = async (what: string): Promise<GlewlwydStep> => {
      const shown = pageStep(page, texts, timeoutMs);
      shown.catch(() => undefined);
      return within(Promise.race([shown, redirect.captured.then(() => 'redirected' as const)]), timeoutMs, what);
    };
    let loggedIn = false;
    let granted = false;
    const steps: GlewlwydStep[] = [];
    const done = async (): Promise<GlewlwydSignIn> => ({ url: await redirect.waitForRedirect(), steps });
    while (steps.length < 6) {
      const step = await next(loggedIn ? 'the grant page or the redirect' : 'the login page');
      steps.push(step);
      if (step === 'redirected') return await done();
      if (step === 'error') {
        const afterPassword = steps.at(-2) === 'login';
        throw new Error(`browser agent: Glewlwyd ${afterPassword ? 'rejected the username or password' : 'showed an error'}: ${await errorText(page)}`);
      }
      if (step === 'login') {
        if (loggedIn) throw new Error('browser agent: Glewlwyd asked for the password again');
        await page.locator('#username').fill(opts.username);
        await page.locator('#password').fill(opts.password);
        await page.locator('#loginbut').click();
        loggedIn = true;
        // Wait until the form is gone (accepted) or an error toast shows.
        await page.waitForFunction("document.querySelector('#passwordForm') === null || document.querySelector('.toast .text-danger') !== null", undefined, { timeout: timeoutMs, polling: 100 });
      } else if (step === 'grant') {
        if (granted) throw new Error('browser agent: Glewlwyd showed the grant page again after the scopes were granted');
        const boxes = await page.locator('input[id^="grant-"]').evaluateAll((els) => els.map((el) => el.id));
        for (const id of boxes) await page.locator(`input[id="${id}"]`).check();
        await page.getByRole('button', { name: texts.grant, exact: true }).click();
        granted = true;
        await page.locator('input[id^="grant-"]').first().waitFor({ state: 'detached' });
      } else {
        await page.locator('button:has(.fa-play)').click();
        return await done();
      }
    }
    throw new Error('browser agent: Glewlwyd never redirected back to the client');
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Launches Chromium, signs in once, closes Chromium. */
export async function glewlwydSignIn(authorizationUrl: string, opts: GlewlwydSignInOptions, browserOptions: OpenBrowserOptions = {}): Promise<string> {
  const browser = await launchChromium(browserOptions);
  try {
    return (await signInWithGlewlwyd(browser, authorizationUrl, opts)).url;
  } finally {
    await browser.close();
  }
}
