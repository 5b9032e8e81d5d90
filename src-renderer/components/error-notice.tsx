/** An error in plain words: what happened, what OIDC Desk and the provider said (as text), and the fix. */
import type { ErrorView } from '../../src-main/core/contract.ts';
import { errorHelp } from '../format/error-help.ts';
import { LongText } from './long-text.tsx';

export type Props = {
  readonly error: ErrorView;
  /** What was being done, e.g. "Refresh". */
  readonly action?: string;
  readonly onDismiss?: () => void;
};

/** The notice; announced to screen readers as it appears. */
export function ErrorNotice({ error, action, onDismiss }: Props) {
  const help = errorHelp(error);
  return (
    <div className="notice notice--error" role="alert" data-code={error.code}>
      <p className="notice__title">
        {action === undefined ? '' : `${action}: `}
        {help.title}
      </p>
      <p className="notice__message">
        <LongText text={error.message} limit={2000} />
      </p>
      {error.oauthError === undefined && error.oauthErrorDescription === undefined ? null : (
        <p className="notice__provider">
          The provider said: <LongText className="mono" text={error.oauthError ?? ''} limit={200} />{' '}
          {error.oauthErrorDescription === undefined ? null : <LongText className="wrap" text={error.oauthErrorDescription} limit={2000} />}
        </p>
      )}
      <p className="notice__fix">
        <strong>What to do: </strong>
        {help.fix}
      </p>
      <p className="notice__code">
        Code <code>{error.code}</code>
        {error.status === undefined ? null : `, HTTP status ${error.status}`}
      </p>
      {onDismiss === undefined ? null : (
        <button type="button" className="button button--quiet" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
