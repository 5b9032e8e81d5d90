/** A Chromium agent (playwright-core, Debian chromium) that walks the demo provider's login and consent pages and captures the redirect. */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { formSecrets, recordSecrets } from './secrets-ledger.ts';

/** Flags that keep Chromium off the closed network (shared/ENVIRONMENT.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ::1, EXCLUDE localhost',
];

const DEFAULT_EXECUTABLE = '/usr/bin/chromium';
/** Limit for every single wait of a browser agent, unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface OpenBrowserOptions {
  /** Defaults to $OIDC_DESK_CHROMIUM or /usr/bin/chromium. */
  readonly executablePath?: string;
  readonly headless?: boolean;
  /** Limit for every single wait (navigation, element, redirect); default 15 s. */
  readonly timeoutMs?: number;
}

export interface OpenAuthorizationOptions {
  /**
   * The redirect URI to capture, without query: `dev.oidcdesk:/callback` (captured as the request
   * Chromium emits before it aborts the unknown scheme, with its fragment) or `http://127.0.0.1:PORT/callback`
   * (captured once the loopback server answered and the page loaded; a form post's body, the implicit and
   * hybrid flows' response there, goes to the secrets ledger).
   */
  readonly redirectPrefix: string;
  readonly timeoutMs?: number;
}

export interface SignInOptions extends OpenAuthorizationOptions {
  readonly username: string;
  readonly password: string;
  /** What to click on the consent page; default `approve`. `deny` yields `error=access_denied`. */
  readonly consent?: 'approve' | 'deny';
}

/** Which page the provider shows, or `redirected` once the redirect to the client was captured. */
export type AuthorizationStep = 'login' | 'consent' | 'redirected';

/** One authorization request in its own fresh browser context (no cookies shared with other sign-ins). */
export interface AuthorizationSession {
  readonly page: Page;
  /** The step reached after loading the authorization URL. */
  readonly initialStep: AuthorizationStep;
  /** Fills `username`/`password` and submits; resolves at the consent page (or the redirect if none). Throws if rejected. */
  submitLogin(username: string, password: string): Promise<AuthorizationStep>;
  /** Clicks Allow; resolves with the full redirect URL. */
  approveConsent(): Promise<string>;
  /** Clicks Deny; resolves with the redirect URL carrying `error=access_denied`. */
  denyConsent(): Promise<string>;
  /** Clicks Cancel on the login page; resolves with the redirect URL carrying `error=access_denied`. */
  cancelLogin(): Promise<string>;
  /** Resolves with the captured redirect URL (waiting for it up to the timeout). */
  waitForRedirect(): Promise<string>;
  /** Closes the context (idempotent). */
  close(): Promise<void>;
}

export interface BrowserAgent {
  /** Sign in and consent (or deny) in a fresh context; resolves with the final redirect URL. */
  signIn(authorizationUrl: string, opts: SignInOptions): Promise<string>;
  /** Loads the authorization URL in a fresh context and stops at the first page (normally the login page). */
  openAuthorization(authorizationUrl: string, opts: OpenAuthorizationOptions): Promise<AuthorizationSession>;
  close(): Promise<void>;
}

/** True when `url` is `prefix` itself or `prefix` followed by a query or fragment. */
export function matchesRedirect(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charAt(prefix.length);
  return next === '' || next === '?' || next === '#' || /[?&#]$/.test(prefix);
}

function isHttp(prefix: string): boolean {
  return prefix.startsWith('http://') || prefix.startsWith('https://');
}

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`browser agent: timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The provider's error page text, for a clear failure message. */
async function errorPageText(page: Page): Promise<string> {
  const text = await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** The redirect to the client, captured from the page's requests (see `captureRedirect`). */
export interface RedirectCapture {
  /** Resolves with the redirect request as soon as the browser makes it. */
  readonly captured: Promise<Request>;
  isCaptured(): boolean;
  /**
   * Resolves with the full redirect URL; for an http(s) (loopback) redirect only once the client's server
   * answered and the page loaded, so the browser can be closed without cutting the callback short.
   */
  waitForRedirect(): Promise<string>;
}

/** The fragment of a request Chromium made, by its URL without the fragment (see {@link watchFragments}). */
export type FragmentOf = (url: string) => Promise<string>;

/**
 * Watches the fragments of the page's requests. Chromium reports a request's URL without its fragment
 * (Playwright's `request.url()` too); the DevTools protocol gives it apart (`urlFragment`), and a redirect
 * to a private-use scheme carries the implicit and hybrid flows' response there.
 */
export async function watchFragments(context: BrowserContext, page: Page, timeoutMs: number): Promise<FragmentOf> {
  const cdp = await context.newCDPSession(page);
  const seen = new Map<string, string>();
  const waiting = new Map<string, (fragment: string) => void>();
  cdp.on('Network.requestWillBeSent', (event) => {
    const fragment = event.request.urlFragment ?? '';
    seen.set(event.request.url, fragment);
    waiting.get(event.request.url)?.(fragment);
  });
  await cdp.send('Network.enable');
  return (url) => {
    const known = seen.get(url);
    if (known !== undefined) return Promise.resolve(known);
    return within(new Promise<string>((resolve) => waiting.set(url, resolve)), timeoutMs, `the fragment of ${url}`);
  };
}

/** Starts watching `page` for the redirect to `redirectPrefix`; call it before the first navigation. */
export function captureRedirect(page: Page, redirectPrefix: string, timeoutMs: number, fragmentOf?: FragmentOf): RedirectCapture {
  let captured: Request | undefined;
  let onCaptured: ((r: Request) => void) | undefined;
  const capturedPromise = new Promise<Request>((resolve) => {
    onCaptured = resolve;
  });
  page.on('request', (request) => {
    if (captured === undefined && matchesRedirect(request.url(), redirectPrefix)) {
      captured = request;
      // A form post response (implicit and hybrid flows on loopback) carries the tokens in its body.
      if (request.method() === 'POST') recordSecrets(...formSecrets(request.postData()));
      onCaptured?.(request);
    }
  });

  let redirectUrl: Promise<string> | undefined;
  const waitForRedirect = (): Promise<string> => {
    redirectUrl ??= (async () => {
      const request = await within(capturedPromise, timeoutMs, `the redirect to ${redirectPrefix}`);
      const fragment = fragmentOf === undefined ? '' : await fragmentOf(request.url());
      const url = request.url() + fragment;
      if (isHttp(redirectPrefix)) {
        // Loopback: let the callback server answer and the page finish loading before anyone closes it.
        const response = await within(request.response(), timeoutMs, `the response of ${redirectPrefix}`);
        if (!response) throw new Error(`browser agent: no response from ${redirectPrefix}`);
        if (response.status() >= 300 && response.status() < 400) {
          await page.waitForLoadState('load', { timeout: timeoutMs });
        } else {
          await page.waitForURL((u) => u.href === url, { waitUntil: 'load', timeout: timeoutMs });
        }
      }
      return url;
    })();
    return redirectUrl;
  };
  return { captured: capturedPromise, isCaptured: () => captured !== undefined, waitForRedirect };
}

async function openSession(context: BrowserContext, authorizationUrl: string, opts: OpenAuthorizationOptions, defaultTimeout: number): Promise<AuthorizationSession> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeout;
  const { redirectPrefix } = opts;
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  const fragmentOf = isHttp(redirectPrefix) ? undefined : await watchFragments(context, page, timeoutMs);

  // Listen before the first navigation: the redirect can come at any step (even straight away).
  const { captured: capturedPromise, isCaptured, waitForRedirect } = captureRedirect(page, redirectPrefix, timeoutMs, fragmentOf);

  /** Waits for one of the given pages, the login-failed marker, the error page, or the redirect. */
  const nextStep = async (expected: readonly ('login' | 'consent')[], what: string): Promise<AuthorizationStep> => {
    const selector = [...expected.map((s) => `body[data-step="${s}"]`), 'body[data-step="error"]', '#login-error'].join(', ');
    const pageStep = page.locator(selector).first().waitFor({ state: 'attached', timeout: timeoutMs })
      .then(async () => {
        if (await page.locator('#login-error').count() > 0) return 'login-failed' as const;
        const step = await page.locator('body').getAttribute('data-step');
        return step === 'login' || step === 'consent' || step === 'error' ? step : 'error';
      })
      .catch((cause: unknown) => {
        throw new Error(`browser agent: timed out after ${timeoutMs} ms waiting for ${what} (at ${page.url().split('?')[0]})`, { cause });
      });
    const redirected = capturedPromise.then(() => 'redirected' as const);
    // Whichever loses keeps waiting until its own timeout: never leave that rejection unhandled.
    pageStep.catch(() => undefined);
    const step = await within(Promise.race([pageStep, redirected]), timeoutMs, what);
    if (step === 'login-failed') throw new Error('browser agent: the provider rejected the username or password');
    if (step === 'error') throw new Error(`browser agent: the provider showed an error page: ${await errorPageText(page)}`);
    if (step === 'redirected') await waitForRedirect();
    return step;
  };

  const click = async (selector: string, what: string): Promise<void> => {
    try {
      await page.locator(selector).click({ timeout: timeoutMs });
    } catch (cause) {
      throw new Error(`browser agent: could not click ${what} (${selector}) at ${page.url().split('?')[0]}`, { cause });
    }
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= context.close().catch(() => undefined);
    return closed;
  };

  try {
    await page.goto(authorizationUrl, { waitUntil: 'commit', timeout: timeoutMs }).catch((err: unknown) => {
      // An immediate redirect to a private-use scheme aborts the navigation; that is a result, not a failure.
      if (!isCaptured()) throw err;
    });
    const initialStep = await nextStep(['login', 'consent'], 'the login page');
    return {
      page,
      initialStep,
      submitLogin: async (username, password) => {
        await page.locator('#username').fill(username, { timeout: timeoutMs });
        await page.locator('#password').fill(password, { timeout: timeoutMs });
        await click('#login-submit', 'Sign in');
        return nextStep(['consent'], 'the consent page');
      },
      approveConsent: async () => {
        await click('#consent-approve', 'Allow');
        return waitForRedirect();
      },
      denyConsent: async () => {
        await click('#consent-deny', 'Deny');
        return waitForRedirect();
      },
      cancelLogin: async () => {
        await click('#login-cancel', 'Cancel');
        return waitForRedirect();
      },
      waitForRedirect,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Launches Debian's Chromium (headless unless told otherwise) with the network-isolating flags. */
export async function launchChromium(options: OpenBrowserOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env['OIDC_DESK_CHROMIUM'] ?? DEFAULT_EXECUTABLE;
  if (!existsSync(executablePath)) {
    throw new Error(`browser agent: no Chromium at ${executablePath} (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath,
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}

/** Launches headless Chromium with the network-isolating flags. */
export async function openBrowser(options: OpenBrowserOptions = {}): Promise<BrowserAgent> {
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const browser = await launchChromium(options);
  const open = (url: string, opts: OpenAuthorizationOptions): Promise<AuthorizationSession> =>
    browser.newContext().then((context) => openSession(context, url, opts, defaultTimeout));

  return {
    openAuthorization: open,
    signIn: async (authorizationUrl, opts) => {
      const session = await open(authorizationUrl, opts);
      try {
        let step = session.initialStep;
        if (step === 'login') step = await session.submitLogin(opts.username, opts.password);
        if (step === 'redirected') return await session.waitForRedirect();
        return await (opts.consent === 'deny' ? session.denyConsent() : session.approveConsent());
      } finally {
        await session.close();
      }
    },
    close: () => browser.close(),
  };
}
