/**
 * Deep links from a process command line: which argument, if any, is our private-use-scheme callback.
 * @module
 */

/** Longest deep link taken from argv (SECURITY.md: callbacks over 8 KiB are refused). */
export const MAX_DEEP_LINK_BYTES = 8 * 1024;

/** Schemes that are never private-use schemes, whatever their shape. */
const RESERVED_SCHEMES: ReadonlySet<string> = new Set([
  'http', 'https', 'file', 'javascript', 'data', 'blob', 'about', 'vbscript', 'ftp', 'ws', 'wss',
  'mailto', 'tel', 'sms', 'urn', 'chrome', 'chrome-extension', 'devtools', 'view-source', 'filesystem',
  'ms-settings', 'shell', 'smb', 'ssh', 'intent', 'android-app', 'content', 'jar', 'resource', 'moz-extension',
]);

/** RFC 3986 §3.1 scheme characters, lowercase only (we register and compare the canonical form). */
const LABEL = /^[a-z0-9+-]+$/;

/**
 * True when `scheme` is a private-use URI scheme in reverse-domain form (RFC 8252 §7.1), such as
 * `dev.oidcdesk`: lowercase RFC 3986 scheme characters, starting with a letter, at least two non-empty
 * dot-separated labels, and not a scheme with a public meaning (`http`, `file`, `javascript`, ...).
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function isReverseDomainScheme(scheme: unknown): boolean {
  if (typeof scheme !== 'string' || scheme.length === 0 || scheme.length > 253) return false;
  if (!/^[a-z]/.test(scheme)) return false;
  if (RESERVED_SCHEMES.has(scheme)) return false;
  const labels = scheme.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label));
}

/** The argument as a deep link of one of `schemes`, or undefined. */
function asDeepLink(arg: unknown, schemes: readonly string[]): string | undefined {
  if (typeof arg !== 'string' || arg.length === 0) return undefined;
  if (arg.startsWith('-')) return undefined;
  if (Buffer.byteLength(arg) > MAX_DEEP_LINK_BYTES) return undefined;
  if (/[\x00-\x20\x7f]/.test(arg)) return undefined;
  const colon = arg.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = arg.slice(0, colon).toLowerCase();
  if (!schemes.includes(scheme)) return undefined;
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    return undefined;
  }
  return url.protocol === `${scheme}:` ? arg : undefined;
}

/**
 * Finds the deep link in a command line (cold start or `second-instance` argv), or undefined.
 *
 * With a `--` separator (Windows registry command `"app.exe" -- "%1"`, or `app -- %u`), only what follows
 * the first `--` counts, and it must be exactly one argument that parses as one of `schemes`. Without it
 * (the Linux/macOS form, `.desktop` `Exec=app %u`), the one plain argument that parses as one of
 * `schemes` is taken. Arguments starting with `-` are never taken, and two candidates give undefined:
 * an argument injected next to the URL (CVE-2018-1000006) cannot become or choose the deep link.
 *
 * Scheme names match case-insensitively; `schemes` that are not reverse-domain private-use schemes
 * (RFC 8252 §7.1) never match. The argument is returned exactly as given; the callback router parses it.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function extractDeepLink(argv: readonly unknown[], schemes: readonly string[]): string | undefined {
  if (!Array.isArray(argv)) return undefined;
  const ours = schemes.filter((s) => isReverseDomainScheme(s));
  if (ours.length === 0) return undefined;
  const separator = argv.indexOf('--');
  if (separator !== -1) {
    const rest = argv.slice(separator + 1);
    return rest.length === 1 ? asDeepLink(rest[0], ours) : undefined;
  }
  const candidates = argv.map((arg) => asDeepLink(arg, ours)).filter((link) => link !== undefined);
  return candidates.length === 1 ? candidates[0] : undefined;
}
