/** A sign-in waiting for the browser: where to finish it, its deadline, and cancel (a device sign-in: its own card). */
import { Countdown } from '../components/countdown.tsx';
import { inBrowserMode } from '../format/host.ts';
import { formatDateTime } from '../format/time.ts';
import type { WaitingSignIn } from '../hooks/use-sign-ins.ts';
import { guardPushedLink, PushedRequestNote } from './pushed-request-note.tsx';
import { DeviceSignInPending } from './device-sign-in-pending.tsx';

export type Props = {
  readonly flow: WaitingSignIn;
  /** Ends the sign-in; `request-uri-expired` when its pushed request ran out before its link was followed. */
  readonly onCancel: (flowId: string, reason?: 'request-uri-expired') => void;
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the provider';
  }
}

/** The card. The authorization URL is a link target only, never shown as text (it carries state and nonce). */
export function SignInPending({ flow, onCancel }: Props) {
  if (flow.device !== undefined) return <DeviceSignInPending flow={{ ...flow, device: flow.device }} onCancel={onCancel} />;
  const url = flow.authorizationUrl;
  const pushed = flow.requestUriExpiresAt;
  const onOpen = guardPushedLink(pushed, () => onCancel(flow.flowId, 'request-uri-expired'));
  return (
    <section className="panel sign-in-pending" aria-label={`Sign-in with ${flow.profile} waiting`} data-flow={flow.flowId}>
      <h3>
        Signing in with <span className="wrap">{flow.profile}</span>
      </h3>
      {url === undefined ? (
        <p>This sign-in was started elsewhere (another window or the command line); it finishes in the browser it opened.</p>
      ) : inBrowserMode() ? (
        <p>
          Finish the sign-in in a new tab:{' '}
          <a className="button button--primary" href={url} target="_blank" rel="noopener noreferrer" onClick={onOpen}>
            Open the sign-in page of {hostOf(url)}
          </a>{' '}
          {pushed === undefined ? '(again, if you closed it). ' : ''}This page waits for the answer.
        </p>
      ) : pushed !== undefined ? (
        // A pushed request is taken once: the page the browser was opened on is the only one.
        <p>Your browser was opened on the sign-in page of {hostOf(url)}. Finish there; this window waits for the answer.</p>
      ) : (
        <p>
          Your browser was opened on the sign-in page of {hostOf(url)}. Finish there; this window waits for the answer.{' '}
          <a href={url} target="_blank" rel="noopener noreferrer">
            Open it again
          </a>
        </p>
      )}
      {url === undefined || pushed === undefined ? null : <PushedRequestNote until={pushed} />}
      <p className="muted">
        Waits until {formatDateTime(flow.expiresAt)} (<Countdown until={flow.expiresAt} precision="second" pastPrefix="ended" />), then gives up.
      </p>
      <button type="button" className="button" onClick={() => onCancel(flow.flowId)}>
        Cancel sign-in
      </button>
    </section>
  );
}
