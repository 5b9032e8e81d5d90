/**
 * Masking of secrets for logs, errors and the exchange timeline: a secret becomes a short fingerprint.
 * @module
 */
import { hash } from 'node:crypto';

/**
 * Parameter and JSON field names whose values are secrets (RFC 6749, 7636, 7009, 7662, OIDC Core; and
 * Okta's Authentication API: its one-time `sessionToken` and transaction `stateToken`).
 */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  'code', 'code_verifier', 'state', 'nonce', 'access_token', 'refresh_token', 'id_token', 'token',
  'client_secret', 'password', 'id_token_hint', 'client_assertion', 'assertion', 'subject_token',
  'device_code', 'user_code', 'logout_hint', 'login_hint_token', 'session_state', 'sid',
  'sessionToken', 'stateToken',
  // A pushed request's reference (RFC 9126) is as good as the authorization URL while it lives.
  'request_uri',
]);

/**
 * Secrets a person chose (a password) or a provider shows once and may have made short (a client secret):
 * masked whole, without a fingerprint, since a short hash of a guessable value can be reversed offline.
 */
export const UNHASHED_SECRET_NAMES: ReadonlySet<string> = new Set(['password', 'client_secret']);

/** What a secret of {@link UNHASHED_SECRET_NAMES} (or HTTP Basic credentials) reads as in the log. */
export const MASKED = '***masked';

/** The masked form of a secret parameter or field. */
function maskNamed(name: string, value: string): string {
  return UNHASHED_SECRET_NAMES.has(name) ? MASKED : fingerprint(value);
}

/** Header names whose values are secrets. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'set-cookie', 'dpop', 'proxy-authorization']);

/** A short, stable fingerprint of a secret: enough to correlate two log lines, useless to an attacker. */
export function fingerprint(secret: string): string {
  // One-shot hash: no Hash object per call (every masked value and every view of a token comes here).
  return `***masked-${hash('sha256', secret, 'hex').slice(0, 8)}`;
}

/** Stands in for the base of a path-absolute reference (a relative Location), never shown. */
const RELATIVE_BASE = 'http://relative.invalid';

/**
 * Masks secret parameters of a URL's query and fragment; a path-absolute reference (`/path?query`)
 * stays one. Other unparseable input is masked whole.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  let relative = false;
  try {
    parsed = new URL(url);
  } catch {
    if (!url.startsWith('/') || url.startsWith('//')) return fingerprint(url);
    try {
      parsed = new URL(url, RELATIVE_BASE);
      relative = true;
    } catch {
      return fingerprint(url);
    }
  }
  const maskParams = (params: URLSearchParams): string => {
    const out = new URLSearchParams();
    for (const [k, v] of params) out.append(k, SECRET_NAMES.has(k) ? maskNamed(k, v) : v);
    return out.toString();
  };
  if (parsed.search) parsed.search = maskParams(parsed.searchParams);
  if (parsed.hash.length > 1) parsed.hash = maskParams(new URLSearchParams(parsed.hash.slice(1)));
  if (parsed.password) parsed.password = 'masked';
  return relative ? parsed.toString().slice(RELATIVE_BASE.length) : parsed.toString();
}

/** Masks secret values in a form body (`application/x-www-form-urlencoded`). */
export function redactForm(body: string): string {
  const out = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(body)) out.append(k, SECRET_NAMES.has(k) ? maskNamed(k, v) : v);
  return out.toString();
}

/** Masks secret fields in a JSON value, deeply. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_NAMES.has(k) && typeof v === 'string' ? maskNamed(k, v) : redactJson(v);
    }
    return out;
  }
  return value;
}

/**
 * Masks a body. The shape decides, not the declared content type (a hostile server may label JSON as a
 * form): JSON is masked field by field, a form parameter by parameter, a JWT whole; anything else is
 * summarised by its size and never logged.
 */
export function redactBody(body: string, contentType: string | null): string {
  if (body === '') return '';
  const type = (contentType ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)));
    } catch {
      return `[${body.length} bytes, invalid JSON]`;
    }
  }
  if (/^[\w.~+%-]+=[^\s]*$/.test(body)) return redactForm(body);
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(body)) return fingerprint(body);
  return `[${body.length} bytes${type ? `, ${type}` : ''}]`;
}

/** Headers whose value is a URL: a redirect may carry a code, a state or a token in it. */
const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'content-location']);

/** Headers as a plain object with secret values masked (URL-valued headers as {@link redactUrl} does). */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (URL_HEADERS.has(lower)) out[lower] = redactUrl(value);
    else if (!SECRET_HEADERS.has(lower)) out[lower] = value;
    else if (lower === 'authorization' || lower === 'proxy-authorization') {
      const [scheme, ...rest] = value.split(' ');
      // Basic carries the client id and secret (RFC 6749 §2.3.1): no fingerprint of a possibly short secret.
      const basic = scheme?.toLowerCase() === 'basic';
      out[lower] = rest.length > 0 ? `${scheme} ${basic ? MASKED : fingerprint(rest.join(' '))}` : fingerprint(value);
    } else out[lower] = fingerprint(value);
  });
  return out;
}

/** Runs of token-like characters long enough to be a secret (opaque tokens, JWT parts, codes); not `/`, so paths and URLs stay. */
const TOKEN_LIKE = /[A-Za-z0-9_~+=.-]{24,}/g;

/**
 * Untrusted text (a provider's error description, an excerpt of a body) with anything that may be a
 * secret masked: every exact `secrets` value sent in the request, and every token-like run.
 */
export function maskSecretsIn(text: string, secrets: readonly string[] = []): string {
  return replaceSecrets(text, secrets).replace(TOKEN_LIKE, (run) => (run.startsWith('***masked-') ? run : fingerprint(run)));
}

/** `text` with every exact `secrets` value replaced by its fingerprint (values shorter than 8 characters are left). */
export function replaceSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(fingerprint(secret));
  return out;
}

/**
 * A short excerpt of an unexpected response body for an error or a status line: JSON and forms masked
 * field by field, then (like any other text) with control characters and token-like runs masked,
 * whitespace collapsed, cut to `max` characters. For bodies that are not a protocol answer (an HTML
 * page, an empty 400).
 */
export function bodyExcerpt(body: string, contentType: string | null, max = 160): string {
  if (body.trim() === '') return '(empty body)';
  const trimmed = body.trimStart();
  const structured = trimmed.startsWith('{') || trimmed.startsWith('[') || /^[\w.~+%-]+=[^\s]*$/.test(body);
  const text = maskSecretsIn((structured ? redactBody(body, contentType) : body).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '))
    .replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
