/** How the CLI speaks of the implicit and hybrid flows (legacy): where a session's tokens came from. */
import type { LegacyFlowView, TokenSource } from '../core/contract.ts';

const SOURCE_WORDS: Readonly<Record<TokenSource, string>> = {
  'front-channel': 'from the browser\'s redirect (front channel)',
  'token-endpoint': 'from the token endpoint (back channel)',
  none: 'none',
};

/** One line on where a legacy session's access and ID tokens came from, and what was checked of the redirect's ID token. */
export function tokenSourcesText(legacy: LegacyFlowView): string {
  const access = legacy.accessToken === 'none' ? 'no access token (response type id_token)' : `access token ${SOURCE_WORDS[legacy.accessToken]}`;
  const checked = legacy.flow === 'hybrid' && legacy.frontChannelIdTokenVerified ? '; the redirect\'s ID token was verified first (nonce, c_hash) and names the same subject' : '';
  return `Legacy ${legacy.flow} flow, response_type=${legacy.responseType}: ${access}, ID token ${SOURCE_WORDS[legacy.idToken]}${checked}.`;
}

/** The `legacy` member of `sessions --json` (absent for the other flows). */
export function legacyJson(legacy: LegacyFlowView | undefined): Record<string, unknown> {
  if (legacy === undefined) return {};
  return { legacy: { flow: legacy.flow, responseType: legacy.responseType, accessToken: legacy.accessToken, idToken: legacy.idToken } };
}
