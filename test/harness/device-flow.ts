/**
 * The device authorization grant (RFC 8628) on the test provider: oidc-provider's `features.deviceFlow` with
 * small self-contained pages (its built-in ones load web fonts from the internet), a device client, and a
 * Chromium agent that does the person's part on those pages (the verification page, the code, the
 * confirmation, then the provider's usual login and consent pages).
 */
import type { Browser, Page } from 'playwright-core';
import { escapeHtml, type DemoClient, type DemoUser, type KoaContextLike } from '../../src-main/demo-idp/provider.ts';
import { DEFAULT_TIMEOUT_MS } from './browser.ts';

/** The grant type a device client is registered with. */
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** A client allowed the device grant and refresh; public unless a secret is given. */
export function deviceClient(clientId: string, secret?: string): DemoClient {
  return {
    client_id: clientId, grant_types: [DEVICE_GRANT_TYPE, 'refresh_token'], response_types: [], redirect_uris: [],
    ...(secret === undefined ? { token_endpoint_auth_method: 'none' } : { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }),
  };
}

const STYLE = 'body{font:15px/1.4 system-ui,sans-serif;max-width:28em;margin:2em auto;padding:0 1em}code{font-size:1.6em}button{margin:.8em .5em 0 0;padding:.4em 1em}';

function send(ctx: KoaContextLike, step: string, title: string, body: string): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`
    + `<body data-step="${escapeHtml(step)}"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/**
 * Turns on oidc-provider's device flow in a provider configuration (the test provider's `configure` hook),
 * with its own pages; `deviceCodeTtl` (seconds) shortens the device code's life for the expiry tests.
 */
export function configureDeviceFlow(configuration: Record<string, unknown>, options: { readonly deviceCodeTtl?: number | undefined } = {}): void {
  configuration['features'] = {
    ...(configuration['features'] as Record<string, unknown>),
    deviceFlow: {
      enabled: true,
      // The form is oidc-provider's own (its xsrf field and the code input, id op.deviceInputForm).
      userCodeInputSource: (ctx: KoaContextLike, form: string, _out: unknown, err: { name?: string; userCode?: string } | undefined) => {
        const message = err === undefined ? 'Enter the code shown on your device.'
          : err.name === 'AbortedError' ? 'The sign-in was cancelled.'
          : err.userCode !== undefined || err.name === 'NoCodeError' ? 'That code is not valid. Try again.' : 'The sign-in could not continue.';
        const step = err === undefined ? 'device-input' : err.name === 'AbortedError' ? 'device-aborted' : 'device-input-error';
        send(ctx, step, 'Connect a device', `<p id="device-message">${escapeHtml(message)}</p>${form}<button id="device-continue" type="submit" form="op.deviceInputForm">Continue</button>`);
      },
      userCodeConfirmSource: (ctx: KoaContextLike, form: string, client: { clientId: string; clientName?: string }, _info: unknown, userCode: string) => {
        send(ctx, 'device-confirm', 'Confirm the device',
          `<p><strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> asks to sign in. The device shows this code:</p><p><code id="device-user-code">${escapeHtml(userCode)}</code></p>${form}`
          + '<button id="device-confirm" type="submit" form="op.deviceConfirmForm">Continue</button>'
          + '<button id="device-abort" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>');
      },
      successSource: (ctx: KoaContextLike) => {
        send(ctx, 'device-success', 'Device connected', '<p>The sign-in is done: go back to your device.</p>');
      },
    },
  };
  if (options.deviceCodeTtl !== undefined) configuration['ttl'] = { ...(configuration['ttl'] as Record<string, unknown>), DeviceCode: options.deviceCodeTtl };
}

/** What the person does on the other device. */
export interface DevicePersonOptions {
  readonly user: Pick<DemoUser, 'username' | 'password'>;
  /** `deny` clicks Deny on the consent page; `abort` clicks Cancel on the confirmation page. */
  readonly answer?: 'approve' | 'deny' | 'abort';
  readonly timeoutMs?: number;
}

/** Waits for the provider page of one of `steps`; fails on any other page with its text. */
async function stepOf(page: Page, steps: readonly string[], timeoutMs: number): Promise<string> {
  const selector = [...steps, 'error', 'device-input-error', 'device-aborted'].map((s) => `body[data-step="${s}"]`).join(', ');
  await page.locator(selector).first().waitFor({ state: 'attached', timeout: timeoutMs });
  const step = await page.locator('body').getAttribute('data-step') ?? '';
  if (!steps.includes(step)) throw new Error(`device agent: the provider showed "${step}": ${(await page.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
  return step;
}

/**
 * The person's part on the provider's own pages, on a page that shows (or is about to show) the verification
 * page: with `userCode` it is typed in (else the page came with the code filled in), then the code is
 * confirmed, the person signs in and consents (or denies, or cancels at the confirmation). Resolves with the
 * last page's step: `device-success`, or `device-aborted` (denied or cancelled).
 */
export async function finishDeviceSignIn(page: Page, userCode: string | undefined, options: DevicePersonOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (userCode !== undefined) {
    await stepOf(page, ['device-input'], timeoutMs);
    await page.locator('input[name="user_code"]').fill(userCode);
    await page.locator('#device-continue').click();
  }
  await stepOf(page, ['device-confirm'], timeoutMs);
  if (options.answer === 'abort') {
    await page.locator('#device-abort').click();
    return stepOf(page, ['device-aborted'], timeoutMs);
  }
  await page.locator('#device-confirm').click();
  if (await stepOf(page, ['login', 'consent'], timeoutMs) === 'login') {
    await page.locator('#username').fill(options.user.username);
    await page.locator('#password').fill(options.user.password);
    await page.locator('#login-submit').click();
    await stepOf(page, ['consent'], timeoutMs);
  }
  if (options.answer === 'deny') {
    await page.locator('#consent-deny').click();
    return stepOf(page, ['device-aborted'], timeoutMs);
  }
  await page.locator('#consent-approve').click();
  return stepOf(page, ['device-success'], timeoutMs);
}

/**
 * {@link finishDeviceSignIn} in a fresh browser context, as on another device: opens `verificationUri` (the
 * complete one carries the code; else `userCode` is typed in).
 */
export async function completeDeviceSignIn(browser: Browser, verificationUri: string, userCode: string | undefined, options: DevicePersonOptions): Promise<string> {
  const context = await browser.newContext();
  context.setDefaultTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const page = await context.newPage();
    await page.goto(verificationUri);
    return await finishDeviceSignIn(page, userCode, options);
  } finally {
    await context.close().catch(() => undefined);
  }
}
