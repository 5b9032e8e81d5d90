/** Untrusted text of any length shown as text: the first few thousand characters, and the rest on request. */
import { useState } from 'react';

export type Props = {
  readonly text: string;
  /** Characters shown before "Show all". */
  readonly limit?: number;
  readonly className?: string;
};

/** The text, isolated from the surrounding text's direction (a right-to-left override stays inside). */
export function LongText({ text, limit = 4000, className }: Props) {
  const [all, setAll] = useState(false);
  const cut = !all && text.length > limit;
  return (
    <>
      <bdi className={className}>{cut ? text.slice(0, limit) : text}</bdi>
      {cut ? (
        <>
          {'… '}
          <button type="button" className="button button--small button--quiet" onClick={() => setAll(true)}>
            Show all {text.length.toLocaleString('en')} characters
          </button>
        </>
      ) : null}
    </>
  );
}
