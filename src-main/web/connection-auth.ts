/**
 * Who may use a browser-mode server: the one-time connection token of this start (in the URL opened
 * once), exchanged for a session cookie of its own; wrong tokens rate-limited. JupyterLab's and
 * VS Code `code serve-web`'s connection tokens are the model.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Wrong tokens allowed before each further one closes the exchange for a while. */
export const FREE_TOKEN_FAILURES = 5;
/** The longest the exchange stays closed after a wrong token. */
export const MAX_LOCKOUT_MS = 60_000;
/** Browser sessions kept at once (each browser or profile that exchanged the token); the oldest goes first. */
export const MAX_SESSIONS = 64;

/** 256 bits of randomness, base64url (43 characters). */
function secret(): string {
  return randomBytes(32).toString('base64url');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Compares two strings in constant time (their SHA-256 digests, so the length leaks nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The outcome of presenting a connection token. */
export type TokenExchange =
  | { readonly kind: 'accepted'; readonly session: string }
  | { readonly kind: 'refused' }
  /** Too many wrong tokens: the exchange is closed, the token was not even compared. */
  | { readonly kind: 'locked'; readonly retryAfterSeconds: number };

/**
 * The connection token of one start and the browser sessions it opened. After
 * {@link FREE_TOKEN_FAILURES} wrong tokens, each further wrong one closes the exchange for twice as long
 * as the one before (1 s, 2 s, 4 s ... at most {@link MAX_LOCKOUT_MS}); while it is closed every token,
 * right or wrong, is answered "try later" unread. A 256-bit token cannot be guessed anyway: the limit
 * keeps a local program from hammering the server, and costs the user at most a minute.
 */
export class ConnectionAuth {
  /** The connection token: in the URL opened once, never in any process's arguments, never logged. */
  readonly token = secret();
  readonly #now: () => number;
  /** SHA-256 digests of the session secrets handed out as cookies, oldest first. */
  readonly #sessions: Buffer[] = [];
  #failures = 0;
  #closedUntil = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Wrong tokens presented since the start. */
  get failures(): number {
    return this.#failures;
  }

  /** Checks a presented connection token; on success a new session secret (the cookie's value, not the token). */
  exchange(candidate: string): TokenExchange {
    const now = this.#now();
    if (now < this.#closedUntil) return { kind: 'locked', retryAfterSeconds: Math.ceil((this.#closedUntil - now) / 1000) };
    if (!sameSecret(candidate, this.token)) {
      this.#failures += 1;
      const beyond = this.#failures - FREE_TOKEN_FAILURES;
      if (beyond > 0) this.#closedUntil = now + Math.min(1000 * 2 ** (beyond - 1), MAX_LOCKOUT_MS);
      return { kind: 'refused' };
    }
    const session = secret();
    this.#sessions.push(digest(session));
    if (this.#sessions.length > MAX_SESSIONS) this.#sessions.shift();
    return { kind: 'accepted', session };
  }

  /** True when one of the presented cookie values is a session secret of this start. */
  isSession(values: readonly string[]): boolean {
    let found = false;
    for (const value of values) {
      const d = digest(value);
      for (const known of this.#sessions) if (timingSafeEqual(d, known)) found = true;
    }
    return found;
  }
}

/** The session cookie's name: one per port, since cookies do not tell ports apart (RFC 6265 §8.5). */
export function cookieName(port: number): string {
  return `oidc-desk-${port}`;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page or link sends
 * it), Path=/, and no expiry (gone when the browser closes; useless after this server stops anyway).
 * @see https://httpwg.org/specs/rfc6265.html#sane-set-cookie
 */
export function sessionCookie(port: number, session: string): string {
  return `${cookieName(port)}=${session}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Every value of the cookie `name` in a Cookie header (another local page may have set a namesake). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}
