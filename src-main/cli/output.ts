/** What `oidc-desk` writes: results on stdout (one token, one id, JSON or a table), progress and errors on stderr, every untrusted text made terminal-safe. */
import type { Writable } from 'node:stream';
import { isDeskError } from '../core/errors.ts';
import { humanizeDuration } from '../core/oauth/jwt-report.ts';

/** The two streams the CLI writes to. */
export interface Io {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** C0 and C1 controls, DEL, and the two JS line separators: never written raw to a terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeControl(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Untrusted text (claims, provider messages) for a terminal: control characters shown escaped, length capped. */
export function safeText(value: unknown, max = 2000): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const clean = text.replace(/\r?\n/g, ' ').replace(CONTROL, escapeControl);
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** JSON for stdout: two-space indented; C1 controls and line separators escaped too (JSON.stringify leaves them raw). */
export function toJson(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(/[\u007f-\u009f\u2028\u2029]/g, escapeControl);
}

/** An instant as ISO 8601 UTC without milliseconds (jq's `fromdateiso8601` reads it), or null. */
export function isoTime(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** "45 s", "4 min", "3 h", "12 days": the same wording as the verification report. */
export const duration = humanizeDuration;

/** "in 4 min" / "4 min ago". */
export function relativeTime(ms: number, now: number): string {
  const delta = ms - now;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(delta)} ago`;
}

/** A copy of the claims with flow secrets (nonce, sid) masked: the core's rule for every front. */
export { maskClaims } from '../core/session/views.ts';

/** Writes to the CLI's streams. */
export class Output {
  readonly #io: Io;

  constructor(io: Io) {
    this.#io = io;
  }

  /** One line of result on stdout. */
  data(line: string): void {
    this.#io.stdout.write(`${line}\n`);
  }

  /** A JSON document on stdout. */
  json(value: unknown): void {
    this.#io.stdout.write(`${toJson(value)}\n`);
  }

  /** Progress or a confirmation on stderr. */
  info(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr. */
  warn(text: string): void {
    this.#io.stderr.write(`warning: ${text}\n`);
  }

  /** `error <CODE>: <message>` on stderr, plus the provider's own words when it gave any. */
  error(error: unknown): void {
    if (isDeskError(error)) {
      this.#io.stderr.write(`error ${error.code}: ${safeText(error.message)}\n`);
      if (error.oauthError !== undefined) {
        const description = error.oauthErrorDescription === undefined ? '' : `: ${safeText(error.oauthErrorDescription, 300)}`;
        this.#io.stderr.write(`  the provider said: ${safeText(error.oauthError, 100)}${description}\n`);
      }
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#io.stderr.write(`error INTERNAL: ${safeText(message, 500)}\n`);
  }

  /** Resolves once both streams have flushed what was written. */
  async flush(): Promise<void> {
    await Promise.all([this.#io.stdout, this.#io.stderr].map((stream) => new Promise<void>((resolve) => {
      if (stream.writableLength === 0) resolve();
      else stream.write('', () => resolve());
    })));
  }
}
