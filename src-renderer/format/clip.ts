/** Untrusted names and ids as one short line: for lists, headings and sentences. */

/** `text` cut to `max` characters with an ellipsis (the full value is in the detail views). */
export function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
