/** The headers every browser-mode response carries: the strict CSP of the desktop window, and the rest of the hardening set. */
import type { ServerResponse } from 'node:http';

/**
 * The renderer's Content Security Policy, the same as the desktop window's: scripts, styles and
 * connections to this origin only, no plugins, no `<base>`, no framing, no form submission.
 * @see https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Every response's security headers. No `Access-Control-*` header is ever sent: no other origin may read anything. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Nothing here is worth keeping in a cache: the API and the page are per start, behind a cookie.
  'Cache-Control': 'no-store',
  // Other origins (another local server on 127.0.0.1, a web page) can neither embed nor open-and-script us.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Sets {@link SECURITY_HEADERS} on a response before anything else is written. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/** Ends a request with a short plain-text answer (the status says what went wrong; the text, what to do). */
export function refuse(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${text}\n`;
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
