/** How a sign-in ended: the account signed in, or the error in plain words. */
import { ErrorNotice } from '../components/error-notice.tsx';
import { clip } from '../format/clip.ts';
import type { SignInOutcome as Outcome } from '../format/sign-in-outcomes.ts';

export type Props = {
  readonly outcome: Outcome;
  readonly onDismiss: (flowId: string) => void;
};

/** A confirmation, or an error notice. */
export function SignInOutcome({ outcome, onDismiss }: Props) {
  if (!outcome.ok) {
    return <ErrorNotice error={outcome.error} action={`Sign-in${outcome.profile === undefined ? '' : ` with ${outcome.profile}`}`} onDismiss={() => onDismiss(outcome.flowId)} />;
  }
  const session = outcome.session;
  return (
    <div className="notice notice--ok" role="status">
      <p>
        Signed in as <strong className="wrap"><bdi>{clip(session.displayName ?? session.subject)}</bdi></strong> with {session.profile}.{' '}
        <a href={`#/sessions/${encodeURIComponent(session.id)}/tokens`}>See the tokens</a>
      </p>
      <button type="button" className="button button--quiet" onClick={() => onDismiss(outcome.flowId)}>
        Dismiss
      </button>
    </div>
  );
}
