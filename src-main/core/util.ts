/**
 * Small narrowing and escaping helpers that several modules need, kept in one place: a plain-object
 * check for parsed JSON and error causes, an errno code read off a thrown value, HTML escaping.
 * @module
 */

/** True for a non-null object that is not an array (parsed JSON objects, error causes). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The errno code (`ENOENT`, `EPIPE`, ...) of a thrown value, when it has one of that shape; never any
 * other text of the error (a message may carry a path or a value the user typed).
 */
export function errnoCode(error: unknown): string | undefined {
  const code = isRecord(error) ? error['code'] : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** Text for HTML element content or a quoted attribute value: `& < > " '` as character references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
