/** What `oidc-desk` writes: results on stdout (one token, one id, JSON or a table), progress and errors on stderr, every untrusted text made terminal-safe. */
import type { Writable } from 'node:stream';
import { isDeskError, type ErrorCode } from '../core/errors.ts';
import { humanizeDuration } from '../core/duration.ts';
import { errnoCode } from '../core/util.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

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

/**
 * Untrusted text (issuers, names, claims, provider messages, anything read from the data directory) for a
 * terminal: line breaks become spaces, other control characters are shown escaped, the length is capped.
 */
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

/**
 * The CLI's own words for errors about a value that was not found or is taken: the value came from the
 * command line, so it is never named (it may be a pasted token), whatever the core's message says.
 */
const UNNAMED_VALUE_TEXT: Partial<Readonly<Record<ErrorCode, string>>> = {
  SESSION_NOT_FOUND: 'There is no session with that id. List them with "oidc-desk sessions".',
  PROFILE_NOT_FOUND: 'There is no profile with that name. List them with "oidc-desk profile list".',
  PROFILE_EXISTS: 'A profile with that name exists already: choose another name, or remove that profile first.',
};

/**
 * What to do next, in CLI terms, after the core's message (the core names no command or flag: every
 * front adds its own hints).
 */
const CLI_HINTS: Partial<Readonly<Record<ErrorCode, string>>> = {
  ISSUER_INSECURE: 'For a provider on this computer, add --allow-http-loopback to the profile.',
  SIGN_IN_NEEDED: 'Sign in again with "oidc-desk login <profile>".',
  REFRESH_FAILING: '"oidc-desk refresh <session>" tries once more; "oidc-desk login <profile>" replaces the session.',
  SESSION_BINDING_MISMATCH: 'Sign out with "oidc-desk logout <session> --no-revoke", then sign in again.',
  ID_TOKEN_UNAVAILABLE: 'Sign in again with "oidc-desk login <profile>" to get a new ID token.',
};

/** Typed values at least this long are taken out of an error wherever they appear; shorter ones where quoted. */
const LONG_TYPED_VALUE = 12;

/** What a typed value becomes in an error message. */
export const TYPED_VALUE_PLACEHOLDER = '(the value given)';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every value the user typed taken out: where it is quoted ("..."), and anywhere when long. */
export function withoutTypedValues(text: string, typed: readonly string[]): string {
  let out = text;
  for (const value of [...typed].filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
    const quoted = new RegExp(`(["'])${escapeRegExp(value)}\\1`, 'g');
    out = out.replace(quoted, TYPED_VALUE_PLACEHOLDER);
    if (value.length >= LONG_TYPED_VALUE) out = out.replaceAll(value, TYPED_VALUE_PLACEHOLDER);
  }
  return out;
}

/** True when the environment asks for no colours (NO_COLOR set and not empty: https://no-color.org). */
export function noColour(env: NodeJS.ProcessEnv): boolean {
  const value = env['NO_COLOR'];
  return value !== undefined && value !== '';
}

/** Writes to the CLI's streams; whatever a call site forgot, no raw control character reaches them. */
export class Output {
  readonly #io: Io;
  #typed: readonly string[] = [];

  constructor(io: Io) {
    this.#io = io;
  }

  /** Values the user typed on the command line: an error never repeats them. */
  neverEcho(values: readonly string[]): void {
    this.#typed = values;
  }

  // Tabs and line breaks stay (tables, multi-line help); every other control character is shown escaped.
  #write(stream: Writable, text: string): void {
    stream.write(text.replace(CONTROL, escapeControl));
  }

  /** One line of result on stdout. */
  data(line: string): void {
    this.#write(this.#io.stdout, `${line}\n`);
  }

  /** A JSON document on stdout. */
  json(value: unknown): void {
    this.#write(this.#io.stdout, `${toJson(value)}\n`);
  }

  /** Progress or a confirmation on stderr. */
  info(text: string): void {
    this.#write(this.#io.stderr, `${text}\n`);
  }

  /**
   * A picture drawn with block characters in the terminal's foreground on its background (a QR code: the
   * blocks are the light modules), on stderr. On a terminal each line is drawn light on dark (bright white
   * on black), so the picture is the same on a light theme, where plain blocks would come out inverted;
   * elsewhere, or with `colours` false (NO_COLOR), the lines are written plain. A line of upper halves only
   * (the last of a picture with an odd number of rows) keeps the terminal's background below them: that
   * half is outside the picture, and black there would draw a bar under it on a light theme.
   */
  picture(text: string, colours: boolean): void {
    if (!colours || !this.stderrIsTerminal) {
      this.info(text);
      return;
    }
    const lines = text.replace(CONTROL, escapeControl).split('\n');
    const drawn = lines.map((line) => (line.length === 0 ? line : /^\u2580+$/.test(line) ? `\u001b[97m${line}\u001b[0m` : `\u001b[97;40m${line}\u001b[0m`));
    this.#io.stderr.write(`${drawn.join('\n')}\n`);
  }

  /** True when stderr is a terminal (progress lines then update in place). */
  get stderrIsTerminal(): boolean {
    return (this.#io.stderr as { readonly isTTY?: boolean }).isTTY === true;
  }

  /**
   * A progress line on stderr: on a terminal it replaces the previous one (carriage return, erase to the end
   * of the line); elsewhere each is a line of its own. Untrusted text in it is made terminal-safe.
   */
  progress(text: string): void {
    const line = safeText(text, 500);
    if (this.stderrIsTerminal) this.#io.stderr.write(`\r${line}\u001b[K`);
    else this.#write(this.#io.stderr, `${line}\n`);
  }

  /** Erases the progress line on a terminal, so what follows starts on a clean line; nothing elsewhere. */
  endProgress(): void {
    if (this.stderrIsTerminal) this.#io.stderr.write('\r\u001b[K');
  }

  /** A warning on stderr. */
  warn(text: string): void {
    this.#write(this.#io.stderr, `warning: ${text}\n`);
  }

  /**
   * `error <CODE>: <message>` on stderr, plus the provider's own words when it gave any. The message never
   * repeats a typed value (see {@link UNNAMED_VALUE_TEXT}, {@link withoutTypedValues}).
   */
  error(error: unknown): void {
    if (isDeskError(error)) {
      const message = UNNAMED_VALUE_TEXT[error.code] ?? withoutTypedValues(error.message, this.#typed);
      this.#write(this.#io.stderr, `error ${error.code}: ${safeText(message)}\n`);
      const hint = CLI_HINTS[error.code];
      if (hint !== undefined) this.#write(this.#io.stderr, `  ${hint}\n`);
      if (error.oauthError !== undefined) {
        const description = error.oauthErrorDescription === undefined ? '' : `: ${safeText(error.oauthErrorDescription, 300)}`;
        this.#write(this.#io.stderr, `  the provider said: ${safeText(error.oauthError, 100)}${description}\n`);
      }
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#write(this.#io.stderr, `error INTERNAL: ${safeText(withoutTypedValues(message, this.#typed), 500)}\n`);
  }

  /** Resolves once both streams have flushed what was written. */
  async flush(): Promise<void> {
    await Promise.all([this.#io.stdout, this.#io.stderr].map((stream) => new Promise<void>((resolve) => {
      if (stream.writableLength === 0) resolve();
      else stream.write('', () => resolve());
    })));
  }
}

/** What became of the writes to stdout, for the exit status. */
export interface StreamWatch {
  /** The exit status of a run that ended with `exitCode`: a success whose results could not all be written is not one. */
  statusFor(exitCode: ExitCode): ExitCode;
}

/**
 * Keeps write errors on the CLI's streams from crashing it with a stack trace. The reader of stdout going
 * away (EPIPE: `oidc-desk sessions | head -1`) ends nothing and prints nothing, as with any filter: what
 * is left to write has no reader, and the run ends with its usual status. Any other failure of stdout (a
 * full disk, an I/O error) is said once on stderr as `error INTERNAL` and fails a run that would have
 * succeeded. stderr carries only progress and diagnostics: its failures have nowhere to be reported.
 */
export function watchStreams(io: Io): StreamWatch {
  let failed = false;
  io.stdout.on('error', (error: unknown) => {
    const code = errnoCode(error);
    if (code === 'EPIPE' || failed) return;
    failed = true;
    io.stderr.write(`error INTERNAL: The results could not be written to stdout (${code ?? 'write error'}).\n`);
  });
  io.stderr.on('error', () => undefined);
  return { statusFor: (exitCode) => (failed && exitCode === EXIT.OK ? EXIT.PROTOCOL : exitCode) };
}
