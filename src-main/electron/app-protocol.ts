/**
 * The app's own privileged protocol, `app://oidc-desk/`: the window's page and its files, served from
 * dist/renderer only (no path leaves it), with the strict CSP. Never a remote URL, never browser mode's
 * client script (the preload gives the page `window.oidcDesk`).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { SECURITY_HEADERS } from '../web/security-headers.ts';
import { DEFAULT_RENDERER_DIR, TYPES, fileUnder } from '../web/static-files.ts';

/** The scheme of the app's pages. */
export const APP_PROTOCOL = 'app';
/** The one host under it. */
export const APP_HOST = 'oidc-desk';
/** The window's page. */
export const APP_PAGE_URL = `${APP_PROTOCOL}://${APP_HOST}/index.html`;

/** The built renderer: the same folder browser mode serves. */
export const RENDERER_DIR = DEFAULT_RENDERER_DIR;

/**
 * The privileges of `app:`: a standard, secure origin (so `'self'` in the CSP, ES modules and `fetch` of its
 * own files work), nothing more: no CSP bypass, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_PROTOCOL,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false, codeCache: true },
};

/** True for a URL of the app's own page (its origin exactly). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_PROTOCOL}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Declares `app:` privileged; Electron allows this only before `ready`. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

function answer(status: number, body: string | Buffer, type: string): Response {
  return new Response(new Uint8Array(body instanceof Buffer ? body : Buffer.from(body)), {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': type },
  });
}

/**
 * The answer to one request on `app:`: GET or HEAD of a file under `rendererDir` on the app's host (`/` is
 * `index.html`), with the security headers; 404 for anything else, 405 for other methods.
 */
export async function appResponse(request: Pick<Request, 'url' | 'method'>, rendererDir: string = RENDERER_DIR): Promise<Response> {
  const text = 'text/plain; charset=utf-8';
  if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'Method not allowed.\n', text);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return answer(404, 'Not found.\n', text);
  }
  if (url.protocol !== `${APP_PROTOCOL}:` || url.host !== APP_HOST) return answer(404, 'Not found.\n', text);
  const file = await fileUnder(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
  if (file === undefined) return answer(404, url.pathname === '/' || url.pathname === '/index.html' ? 'The window is not built: run "npm run build".\n' : 'Not found.\n', text);
  const body = request.method === 'HEAD' ? '' : await readFile(file);
  return answer(200, body, TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
}

/** Serves `app:` from the built renderer (after `ready`). */
export function serveApp(protocol: Pick<Protocol, 'handle'>, rendererDir: string = RENDERER_DIR): void {
  protocol.handle(APP_PROTOCOL, (request) => appResponse(request, rendererDir));
}
