/** A token's value, masked (fingerprint and length) until an explicit reveal; copy works without showing it. */
import type { ReactNode } from 'react';
import type { MaskedToken } from '../../src-main/core/contract.ts';
import { useReveal } from '../hooks/use-reveal.ts';
import { ErrorNotice } from './error-notice.tsx';

export type Props = {
  readonly sessionId: string;
  readonly type: 'access' | 'id';
  readonly token: MaskedToken;
  /** Called with the value while it is revealed (to decode it), and with undefined when hidden. */
  readonly children?: (value: string | undefined) => ReactNode;
};

const NAMES = { access: 'access token', id: 'ID token' } as const;

/** The masked value, Reveal / Hide, Copy. */
export function MaskedValue({ sessionId, type, token, children }: Props) {
  const reveal = useReveal(sessionId, type, token.fingerprint);
  const name = NAMES[type];
  return (
    <div className="masked">
      {reveal.value === undefined ? (
        <p className="mono masked__value" data-masked="true">
          {token.fingerprint} <span className="muted">({token.length} characters, masked)</span>
        </p>
      ) : (
        <p className="mono masked__value wrap code-block" data-masked="false" aria-label={`The ${name}`}>
          {reveal.value}
        </p>
      )}
      <div className="actions">
        {reveal.value === undefined ? (
          <button type="button" className="button button--small" onClick={() => void reveal.reveal()} disabled={reveal.busy}>
            Reveal {name}
          </button>
        ) : (
          <button type="button" className="button button--small" onClick={reveal.hide}>
            Hide {name}
          </button>
        )}
        <button type="button" className="button button--small" onClick={() => void reveal.copy()} disabled={reveal.busy}>
          Copy {name}
        </button>
        <span role="status" className="muted">
          {reveal.copied ? 'Copied to the clipboard.' : reveal.value === undefined ? '' : 'Shown for one minute at most.'}
        </span>
      </div>
      {reveal.error === undefined ? null : <ErrorNotice error={reveal.error} action={`Reveal ${name}`} />}
      {children?.(reveal.value)}
    </div>
  );
}
