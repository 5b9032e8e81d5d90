/**
 * A headless login driver for the benches: walks the demo provider's sign-in over plain HTTP (the
 * authorization request, the login form, the consent form, each redirect of oidc-provider's own flow,
 * with its cookies) and returns the redirect to the client. It posts the same forms Chromium submits in
 * test/harness/browser.ts, without a browser: the benches need hundreds of real grants (a refresh token
 * each), and a browser sign-in costs about a second of a shared 2-core machine.
 */

/** One cookie as set by the provider: only the path attribute matters on 127.0.0.1 over http. */
interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

/** A cookie jar of one sign-in (one browser profile), with RFC 6265 path matching and nothing else. */
class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  take(response: Response, url: URL): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const pathAttribute = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttribute === undefined ? url.pathname.replace(/\/[^/]*$/, '') || '/' : pathAttribute.slice(5);
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a)) || value === '';
      const key = `${name}\u0000${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    const matches = (p: string): boolean => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`);
    return [...this.#cookies.values()].filter((c) => matches(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

/** The demo provider's interaction paths (src-main/demo-idp/provider.ts). */
const INTERACTION = /^\/interaction\/[A-Za-z0-9_-]+$/;

/**
 * Signs `username` in at the authorization URL and approves the consent page; resolves with the redirect
 * to the client (the Location that leaves the provider's origin), e.g. `dev.oidcdesk:/callback?code=...`.
 */
export async function signInOverHttp(authorizationUrl: string, username: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const origin = new URL(authorizationUrl).origin;
  let next: { url: URL; form?: URLSearchParams } = { url: new URL(authorizationUrl) };
  for (let step = 0; step < 12; step++) {
    const { url, form } = next;
    const cookie = jar.header(url);
    const response = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: { ...(cookie === '' ? {} : { cookie }), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(form === undefined ? {} : { body: form.toString() }),
      signal: AbortSignal.timeout(15_000),
    });
    jar.take(response, url);
    const location = response.headers.get('location');
    const body = await response.text();
    if (location !== null && response.status >= 300 && response.status < 400) {
      const target = new URL(location, url);
      if (target.origin !== origin) return target.href;
      next = { url: target };
      continue;
    }
    const page = /<body data-step="(login|consent)">/.exec(body)?.[1];
    if (response.status !== 200 || !INTERACTION.test(url.pathname) || page === undefined) {
      throw new Error(`login driver: unexpected HTTP ${response.status} at ${url.pathname}${/id="login-error"/.test(body) ? ' (login refused)' : ''}`);
    }
    // The page's own form: the login form, or the consent page's Allow.
    next = page === 'login'
      ? { url: new URL(`${url.pathname}/login`, origin), form: new URLSearchParams({ username, password }) }
      : { url: new URL(`${url.pathname}/confirm`, origin), form: new URLSearchParams() };
  }
  throw new Error('login driver: no redirect to the client after 12 steps');
}
