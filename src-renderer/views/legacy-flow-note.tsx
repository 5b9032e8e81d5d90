/** An implicit or hybrid session (legacy): the warning, the response type, and where each of its tokens came from. */
import type { LegacyFlowView, TokenSource } from '../../src-main/core/contract.ts';

export type Props = {
  readonly legacy: LegacyFlowView;
};

const SOURCE_WORDS: Readonly<Record<TokenSource, string>> = {
  'front-channel': 'the browser’s redirect (front channel)',
  'token-endpoint': 'the token endpoint (back channel)',
  none: 'none: the response type brings no access token',
};

/** The note. */
export function LegacyFlowNote({ legacy }: Props) {
  return (
    <div className="note note--warning legacy-flow" role="note" data-legacy-flow={legacy.flow}>
      <p>
        <span className="badge badge--legacy">legacy</span> <strong>{legacy.flow === 'implicit' ? 'Implicit flow' : 'Hybrid flow'}</strong>, <span className="mono">response_type={legacy.responseType}</span>. {legacy.warning}
      </p>
      <dl className="facts">
        <dt>Access token from</dt>
        <dd data-source-access={legacy.accessToken}>{SOURCE_WORDS[legacy.accessToken]}</dd>
        <dt>ID token from</dt>
        <dd data-source-id={legacy.idToken}>
          {SOURCE_WORDS[legacy.idToken]}
          {legacy.flow === 'hybrid' && legacy.frontChannelIdTokenVerified ? '; the redirect’s ID token was verified first (nonce, c_hash) and names the same user' : ''}
        </dd>
      </dl>
    </div>
  );
}
