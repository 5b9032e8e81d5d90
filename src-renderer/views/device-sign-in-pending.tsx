/** A device sign-in waiting for the person (RFC 8628): the code, large and copyable; the page to enter it on, as a link and a QR code; its expiry; the polling; cancel. */
import type { DeviceSignInPrompt } from '../../src-main/core/contract.ts';
import { Countdown } from '../components/countdown.tsx';
import { QrCode } from '../components/qr-code.tsx';
import { formatDateTime } from '../format/time.ts';
import { useCopyText } from '../hooks/use-copy-text.ts';
import type { WaitingSignIn } from '../hooks/use-sign-ins.ts';

export type Props = {
  readonly flow: WaitingSignIn & { readonly device: DeviceSignInPrompt };
  readonly onCancel: (flowId: string) => void;
};

/** What the polling says so far. */
function pollingText(polling: WaitingSignIn['polling']): string {
  if (polling === undefined) return 'Waiting for the sign-in on the other device.';
  const checked = `checked ${polling.polls} time${polling.polls === 1 ? '' : 's'}, every ${polling.interval} s`;
  return `Waiting for the sign-in on the other device (${checked}${polling.slowDown ? '; the provider asked to check less often' : ''}).`;
}

/**
 * The card. The provider's texts (the URIs, the code) were checked by the core (https, or http on loopback for
 * a local provider; short printable code) and are rendered as text and link targets only.
 */
export function DeviceSignInPending({ flow, onCancel }: Props) {
  const { device } = flow;
  const copy = useCopyText();
  const scanned = device.verificationUriComplete ?? device.verificationUri;
  const codeId = `device-code-${flow.flowId}`;
  return (
    <section className="panel sign-in-pending device-sign-in" aria-label={`Sign-in with ${flow.profile} on another device`} data-flow={flow.flowId} data-device="true">
      <h3>
        Signing in with <span className="wrap">{flow.profile}</span> on another device
      </h3>
      <div className="device-sign-in__body">
        <div className="device-sign-in__text">
          <p>
            On a phone or a computer with a browser, open{' '}
            <a className="wrap" href={device.verificationUri} target="_blank" rel="noopener noreferrer" data-verification-uri="true">
              {device.verificationUri}
            </a>{' '}
            and enter this code:
          </p>
          <p className="device-code" id={codeId} data-user-code="true">
            {device.userCode}
          </p>
          <div className="actions">
            <button type="button" className="button button--small" aria-describedby={codeId} onClick={() => void copy.copy(device.userCode)}>
              Copy the code
            </button>
            <span role="status" className="muted">
              {copy.state === 'copied' ? 'Copied to the clipboard.' : copy.state === 'refused' ? 'This browser did not allow copying: select the code instead.' : ''}
            </span>
          </div>
          {device.verificationUriComplete === undefined ? null : (
            <p>
              Or open the page with the code filled in:{' '}
              <a className="wrap mono small" href={device.verificationUriComplete} target="_blank" rel="noopener noreferrer" data-verification-uri-complete="true">
                {device.verificationUriComplete}
              </a>
            </p>
          )}
          <p className="muted">
            The code expires at {formatDateTime(device.expiresAt)} (<Countdown until={device.expiresAt} precision="second" pastPrefix="expired" />).
          </p>
          <p className="muted" data-polling={flow.polling?.polls ?? 0}>
            {pollingText(flow.polling)}
          </p>
        </div>
        <figure className="device-sign-in__qr">
          <QrCode text={scanned} label={`QR code of ${scanned}`} />
          <figcaption className="small muted">
            Scan it with a phone’s camera to open {device.verificationUriComplete === undefined ? 'the page above' : 'the page with the code filled in'}.
          </figcaption>
        </figure>
      </div>
      <button type="button" className="button" onClick={() => onCancel(flow.flowId)}>
        Cancel sign-in
      </button>
    </section>
  );
}
