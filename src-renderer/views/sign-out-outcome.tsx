/** What a sign-out did: signed out here in every case, and what happened to each token at the provider. */
import type { SignOutView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';

export type Props = {
  readonly outcome: SignOutView;
  readonly onDismiss: () => void;
};

const OUTCOME_WORDS: Readonly<Record<SignOutView['tokens']['refresh'], string>> = {
  revoked: 'revoked at the provider',
  pending: 'not revoked yet: the provider could not be reached, so it is kept in the keychain and revoked later',
  refused: 'not revoked: the provider refused, so it may stay valid there until it expires',
  unreachable: 'not revoked: the provider could not be reached',
  none: 'none was held',
};

/** The confirmation, with a note per token. */
export function SignOutOutcome({ outcome, onDismiss }: Props) {
  return (
    <div className="notice notice--ok" role="status" data-signed-out={outcome.sessionId}>
      <p>Signed out. The session and its tokens are gone from this computer.</p>
      <ul>
        <li>Refresh token: {OUTCOME_WORDS[outcome.tokens.refresh]}.</li>
        <li>Access token: {OUTCOME_WORDS[outcome.tokens.access]}.</li>
      </ul>
      {outcome.revocationError === undefined ? null : <ErrorNotice error={outcome.revocationError} action="Revocation" />}
      <button type="button" className="button button--quiet" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
