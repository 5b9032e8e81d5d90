/**
 * The flow guide's questions, after the "Choosing a Flow" questions of Okta's authentication overview,
 * and the recommendation they lead to: a flow, a response type, why, and a profile preset with scopes.
 */
import { PRESETS } from './presets.ts';

/** One answer to one question. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** A question of the guide. */
export interface Question {
  readonly id: keyof Answers;
  readonly text: string;
  readonly help: string;
  readonly choices: readonly Choice[];
}

/** The answers given so far. */
export interface Answers {
  readonly person?: 'yes' | 'no';
  readonly password?: 'yes' | 'no';
  readonly runtime?: 'native' | 'spa' | 'server' | 'device';
  readonly need?: 'identity' | 'api' | 'both';
  readonly longLived?: 'yes' | 'no';
  readonly provider?: string;
}

/** What the guide recommends. */
export interface Recommendation {
  readonly flow: string;
  /** `response_type`, or undefined for a flow without a browser. */
  readonly responseType: string | undefined;
  readonly grantTypes: readonly string[];
  readonly why: readonly string[];
  /** Flows the answers might have suggested that are legacy, and why (RFC 9700); `profileFlow` when OIDC Desk can run one to test a legacy client. */
  readonly legacy: readonly { readonly flow: string; readonly reason: string; readonly profileFlow?: 'implicit' | 'hybrid' }[];
  /** The preset, scopes and profile flow to open, when OIDC Desk can run the recommended flow. */
  readonly preset: { readonly id: string; readonly scopes: string; readonly flow?: 'client_credentials' | 'device_code' } | undefined;
  /** A provider-specific way beside the recommendation, for these answers (Okta's session token when the app takes the password). */
  readonly alternatives?: readonly Alternative[];
}

/** A flow beside the recommendation, with why and the profile that tries it. */
export interface Alternative {
  readonly flow: string;
  readonly reason: string;
  readonly preset: { readonly id: string; readonly scopes: string; readonly flow: 'okta_session_token' };
}

/** Every question, in order; {@link nextQuestion} skips those the answers make moot. */
export const QUESTIONS: readonly Question[] = [
  {
    id: 'person',
    text: 'Does a person sign in, or is it a program acting on its own?',
    help: 'Is there a user context at all? A nightly job or one service calling another has none.',
    choices: [
      { value: 'yes', label: 'A person signs in' },
      { value: 'no', label: 'A program on its own (service to service)' },
    ],
  },
  {
    id: 'password',
    text: 'Would your app collect the person’s password itself?',
    help: 'Only imaginable when the app and the provider sit inside one trusted barrier (one firewall, one owner).',
    choices: [
      { value: 'yes', label: 'Yes, our own trusted app asks for the password' },
      { value: 'no', label: 'No, the provider’s sign-in page does' },
    ],
  },
  {
    id: 'runtime',
    text: 'Where does your app run?',
    help: 'This decides whether it can keep a secret and how the answer of the sign-in comes back to it.',
    choices: [
      { value: 'native', label: 'On the person’s device: desktop, mobile or command line' },
      { value: 'spa', label: 'In the browser only (a single-page app, no back end)' },
      { value: 'server', label: 'On a web server (a back end renders the pages)' },
      { value: 'device', label: 'On a device without a browser or a keyboard (a TV, a console, a command line on a remote server)' },
    ],
  },
  {
    id: 'need',
    text: 'What do you need from the sign-in?',
    help: 'Knowing who the person is is OpenID Connect (the openid scope, an ID token); calling an API on their behalf is OAuth 2.0 (an access token).',
    choices: [
      { value: 'identity', label: 'Who the person is' },
      { value: 'api', label: 'Access to an API on their behalf' },
      { value: 'both', label: 'Both' },
    ],
  },
  {
    id: 'longLived',
    text: 'Should the app keep working for hours or days without asking the person again?',
    help: 'Access tokens last minutes to an hour. A refresh token gets new ones without the browser.',
    choices: [
      { value: 'yes', label: 'Yes, stay signed in' },
      { value: 'no', label: 'No, one sign-in per use is fine' },
    ],
  },
  {
    id: 'provider',
    text: 'Which provider?',
    help: 'The preset fills in what that provider needs.',
    choices: PRESETS.map((p) => ({ value: p.id, label: p.label })),
  },
];

/** The next question to ask, or undefined when the answers lead to a recommendation. */
export function nextQuestion(answers: Answers): Question | undefined {
  if (answers.person === 'no') return undefined;
  return QUESTIONS.find((q) => answers[q.id] === undefined);
}

const PASSWORD_LEGACY = {
  flow: 'Resource owner password (grant_type=password)',
  reason: 'RFC 9700 §2.4 says it MUST NOT be used: the app sees the password, the provider cannot offer multi-factor or phishing-resistant sign-in, and people learn to type their password into any app. OIDC Desk runs it only to test such a trusted legacy client (a profile with the flow “Resource owner password”), with this warning.',
};
const IMPLICIT_LEGACY = {
  flow: 'Implicit (response_type=id_token or token)',
  reason: 'RFC 9700 §2.1.2: tokens travel in the URL fragment, where browser history and Referer headers leak them and an attacker can inject stolen ones; they cannot be bound to the client. Use the authorization code with PKCE instead. To test a client that still uses it, OIDC Desk runs it with a profile of the flow “Implicit (legacy)” (response types id_token, id_token token), checking the nonce and at_hash.',
  profileFlow: 'implicit',
} as const;
const HYBRID_LEGACY = {
  flow: 'Hybrid (response_type=code id_token)',
  reason: 'Seldom needed: it returns an ID token through the front channel too. The authorization code with PKCE gives the same tokens over the back channel. To test a client that still uses it, OIDC Desk runs it with a profile of the flow “Hybrid (legacy)” (code id_token, code token, code id_token token), checking the nonce and c_hash before the code is exchanged with PKCE.',
  profileFlow: 'hybrid',
} as const;

/** For an app that takes the password itself at Okta: the session token through the Authentication API, still the code flow with PKCE. */
function oktaSessionToken(answers: Answers, scopes: string): Alternative | undefined {
  if (answers.password !== 'yes' || (answers.provider !== 'okta-org' && answers.provider !== 'okta-custom')) return undefined;
  return {
    flow: 'Okta session token (Okta’s Authentication API)',
    reason: 'If your own app must take the password at Okta, Okta’s Authentication API trades it for a one-time session token, and the authorization code flow with PKCE then runs without a browser: the tokens still come from the authorization endpoint and PKCE, not from a password grant. Okta only, classic engine (an Okta Identity Engine org may refuse the API), and no multi-factor sign-in this way; the password still goes through the app. OIDC Desk runs it with a profile of the flow “Okta session token”.',
    preset: { id: answers.provider, scopes, flow: 'okta_session_token' },
  };
}

/** What hardens the code flow further, and where OIDC Desk sets it: the profile's PAR and DPoP settings. */
export const SENDER_CONSTRAINTS = 'To harden it further: pushed authorization requests (PAR, RFC 9126) send the request to the provider first, so the browser’s URL carries only a one-time reference; DPoP (RFC 9449) binds the tokens to a key of the app, so a stolen token is useless alone. Both are settings of the profile (Okta: “Require PAR” and “Require DPoP” on the app).';

/** The scopes the answers call for. */
function scopesFor(answers: Answers): string {
  const scopes: string[] = [];
  if (answers.need !== 'api') scopes.push('openid', 'profile', 'email');
  // Google gives refresh tokens for access_type=offline (its preset sets it), not for offline_access.
  if (answers.longLived === 'yes' && answers.provider !== 'google') scopes.push('offline_access');
  // An API's own scopes are the person's to add in the profile.
  return scopes.join(' ');
}

/** The recommendation for complete answers. */
export function recommend(answers: Answers): Recommendation {
  if (answers.person === 'no') {
    return {
      flow: 'Client credentials',
      responseType: undefined,
      grantTypes: ['client_credentials'],
      why: [
        'With no person there is no browser and no sign-in: the program authenticates as itself with its own credentials (in Okta: a Service app).',
        'It is OAuth 2.0 only: there is nobody to identify, so there is no ID token and no openid scope.',
        'OIDC Desk runs it with a client credentials profile: the client secret (or a key pair it makes, for private_key_jwt) stays in the OS keychain. In Okta use a custom authorization server with your API’s scopes: the org authorization server does not issue client credentials tokens for custom scopes.',
      ],
      legacy: [],
      preset: { id: 'generic', scopes: '', flow: 'client_credentials' },
    };
  }
  const why: string[] = ['The provider’s own sign-in page sees the password; the app gets a short-lived code and redeems it with PKCE (S256), which proves that the one redeeming the code is the one that asked for it.'];
  const legacy = answers.password === 'yes' ? [PASSWORD_LEGACY] : [];
  if (answers.runtime === 'device') return deviceFlow(answers, legacy);
  if (answers.runtime === 'native') {
    why.push('A native app is a public client: anything shipped in it can be read, so it holds no secret and relies on PKCE. The answer comes back on a loopback port or a private-use scheme (RFC 8252), through the system browser.');
  } else if (answers.runtime === 'spa') {
    why.push('A single-page app is a public client too: the code flow with PKCE replaces the implicit flow it once used.');
    legacy.push(IMPLICIT_LEGACY);
  } else {
    why.push('A web server can keep a secret: it is a confidential client that authenticates at the token endpoint, and still sends PKCE (RFC 9700 recommends it for every client). OIDC Desk is a public client: to try the provider with it, register a separate native app.');
    legacy.push(HYBRID_LEGACY);
  }
  if (answers.need === 'identity') why.push('Knowing who signed in is OpenID Connect: request openid and read the ID token; do not send the ID token to an API.');
  if (answers.need === 'api') why.push('Calling an API is OAuth 2.0: the access token goes to the API. Add the API’s own scopes to the profile; the ID token is not for APIs.');
  if (answers.need === 'both') why.push('Both at once: openid brings an ID token for the app, and the API’s scopes an access token for the API, in one sign-in.');
  why.push(answers.longLived === 'yes'
    ? 'Staying signed in takes a refresh token (the refresh token flow): ask for offline_access (Google: access_type=offline); OIDC Desk keeps it in the OS keychain.'
    : 'Without a refresh token the session ends when the access token expires; sign in again then.');
  const alternative = oktaSessionToken(answers, scopesFor(answers));
  why.push(SENDER_CONSTRAINTS);
  return {
    flow: 'Authorization code with PKCE',
    responseType: 'code',
    grantTypes: answers.longLived === 'yes' ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    why,
    legacy,
    preset: { id: answers.provider ?? 'generic', scopes: scopesFor(answers) },
    ...(alternative === undefined ? {} : { alternatives: [alternative] }),
  };
}

/** The grant type of the device authorization grant (RFC 8628). */
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** The recommendation for an app on a device that cannot show the provider's sign-in page well itself. */
function deviceFlow(answers: Answers, legacy: Recommendation['legacy']): Recommendation {
  const why = [
    'The device has no browser, or no keyboard to type a password with: it shows a short code and an address (and a QR code of it), and the person signs in on another device, a phone or a computer, on the provider’s own page (RFC 8628).',
    'Meanwhile the device asks the token endpoint, at the interval the provider sets, whether the person has finished; it never sees the password. It is a public client like any native app (in Okta: a Native app with the Device Authorization grant).',
    answers.need === 'api'
      ? 'Calling an API is OAuth 2.0: the access token goes to the API; add the API’s own scopes to the profile.'
      : 'With openid the device also learns who signed in: an ID token, verified like the code flow’s.',
    answers.longLived === 'yes'
      ? 'Staying signed in takes a refresh token (offline_access): the person need not pick up the phone again until it ends.'
      : 'Without a refresh token the person signs in again with a new code when the access token expires.',
  ];
  return {
    flow: 'Device authorization grant',
    responseType: undefined,
    grantTypes: answers.longLived === 'yes' ? [DEVICE_GRANT_TYPE, 'refresh_token'] : [DEVICE_GRANT_TYPE],
    why,
    legacy,
    preset: { id: answers.provider ?? 'generic', scopes: scopesFor(answers), flow: 'device_code' },
  };
}
