/** Any JSON value shown as indented text (never as markup), wrapping long values; a very long one on request. */
import { LongText } from './long-text.tsx';

export type Props = {
  readonly value: unknown;
  readonly label: string;
};

/** The value in a scrollable, focusable block so keyboard users can scroll it. */
export function JsonView({ value, label }: Props) {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return (
    <pre className="code-block" tabIndex={0} aria-label={label}>
      <LongText text={text} limit={20_000} />
    </pre>
  );
}
