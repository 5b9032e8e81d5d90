/** The profile editor's form: its fields as typed, to and from a profile, and which field an API refusal is about. */
import type { ClientAuthMethod, ErrorView, Flow, FrontChannelResponseType, ParMode, ProfileInput, ProfileView } from '../../src-main/core/contract.ts';
import type { Preset } from './presets.ts';

/** The form's fields as the person typed them. */
export interface ProfileForm {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: string;
  readonly redirectMode: 'loopback' | 'app-scheme' | 'custom';
  /** A private-use scheme URI or a fixed loopback URI, for `custom`. */
  readonly redirectUri: string;
  readonly allowHttpLoopback: boolean;
  /** One `name=value` per line. */
  readonly params: string;
  readonly flow: Flow;
  readonly clientAuth: ClientAuthMethod;
  /** Pushed authorization requests (RFC 9126), for the authorization code flow. */
  readonly par: ParMode;
  /** DPoP (RFC 9449), for the authorization code flow. */
  readonly dpop: boolean;
  /** The implicit and hybrid flows' `response_type`; undefined for the others. */
  readonly responseType?: FrontChannelResponseType | undefined;
}

/** The flows the editor offers, each with what it is for. */
export const FLOW_CHOICES: readonly { readonly flow: Flow; readonly label: string; readonly purpose: string }[] = [
  { flow: 'authorization_code', label: 'Authorization code with PKCE', purpose: 'A person signs in through the system browser. The flow for people.' },
  { flow: 'client_credentials', label: 'Client credentials', purpose: 'A service with no user gets a token for itself with its client secret or key (an Okta service app).' },
  { flow: 'password', label: 'Resource owner password (legacy)', purpose: 'The username and password go to the token endpoint. For a trusted first-party client only.' },
  { flow: 'okta_session_token', label: 'Okta session token (Okta only)', purpose: 'The username and password go to Okta’s Authentication API; the code flow with PKCE then runs without a browser. Classic engine only, no multi-factor sign-in.' },
  { flow: 'implicit', label: 'Implicit (legacy)', purpose: 'The tokens come straight back in the browser’s redirect, with no token endpoint and no refresh token. To test a client that still uses it.' },
  { flow: 'hybrid', label: 'Hybrid (legacy)', purpose: 'A code and an ID token (or an access token) come back in the redirect; the code is then exchanged with PKCE. To test a client that still uses it.' },
  { flow: 'device_code', label: 'Device authorization (device code)', purpose: 'A person signs in on another device, a phone, with a short code: for a device with no browser or no keyboard (RFC 8628).' },
];

/** True for the implicit and hybrid flows: a browser sign-in whose tokens come in the redirect (the front channel). */
export function isFrontChannel(flow: Flow): flow is 'implicit' | 'hybrid' {
  return flow === 'implicit' || flow === 'hybrid';
}

/** The response types the editor offers for the implicit and hybrid flows, each with what comes back. */
export const RESPONSE_TYPE_CHOICES: Readonly<Record<'implicit' | 'hybrid', readonly { readonly type: FrontChannelResponseType; readonly gives: string }[]>> = {
  implicit: [
    { type: 'id_token token', gives: 'an ID token and an access token' },
    { type: 'id_token', gives: 'an ID token only (no access token)' },
  ],
  hybrid: [
    { type: 'code id_token', gives: 'a code and an ID token' },
    { type: 'code id_token token', gives: 'a code, an ID token and an access token' },
    { type: 'code token', gives: 'a code and an access token' },
  ],
};

/** What the editor says about the implicit and hybrid flows (the core's views carry the same warnings). */
export const FRONT_CHANNEL_WARNINGS: Readonly<Record<'implicit' | 'hybrid', string>> = {
  implicit: 'Legacy flow: the implicit flow hands its tokens to the browser’s redirect (the front channel), where they can leak or be injected, and nothing binds them to this app (no sender constraint); it issues no refresh token. RFC 9700 says not to use it: use the authorization code flow with PKCE.',
  hybrid: 'Legacy flow: the hybrid flow hands an ID token or an access token to the browser’s redirect (the front channel), where they can leak or be injected, and nothing binds them to this app (no sender constraint). RFC 9700 recommends the authorization code flow with PKCE, which gets the same tokens from the token endpoint only.',
};

/** What the editor says about the password flow (the core's views carry the same warning). */
export const PASSWORD_WARNING = 'Legacy flow: the password is handed to this app. RFC 9700 says this grant must not be used; use it only with a trusted first-party client in a trusted environment, and prefer the authorization code flow.';

/** What the editor and the sign-in form say about the Okta session token flow (the core's views carry the same warning). */
export const OKTA_SESSION_TOKEN_WARNING = 'Okta only, classic engine (an Okta Identity Engine org may refuse the Authentication API): this app sends the password to Okta’s Authentication API itself, not to Okta’s sign-in page in your browser, so multi-factor sign-in is not possible this way. Use it only where the browser sign-in cannot be, and prefer the authorization code flow.';

/** True for the flows that take the account's username and password in the window (password, Okta session token). */
export function asksForPassword(flow: Flow): boolean {
  return flow === 'password' || flow === 'okta_session_token';
}

/** True for the flows whose answer comes on a redirect URI registered at the provider (the code flow; Okta's session token). */
export function usesRedirect(flow: Flow): boolean {
  return flow === 'authorization_code' || flow === 'okta_session_token' || isFrontChannel(flow);
}

/** The client authentication methods the editor offers for a flow. */
export function clientAuthChoices(flow: Flow): readonly { readonly method: ClientAuthMethod; readonly label: string }[] {
  const confidential = [
    { method: 'client_secret_basic', label: 'Client secret, HTTP Basic (client_secret_basic)' },
    { method: 'client_secret_post', label: 'Client secret in the request body (client_secret_post)' },
    { method: 'private_key_jwt', label: 'Signed assertion with a key pair made here (private_key_jwt)' },
  ] as const;
  if (flow === 'authorization_code') return [{ method: 'none', label: 'None: a public native client' }];
  if (flow === 'okta_session_token') return [{ method: 'none', label: 'None: a public native client' }];
  if (flow === 'client_credentials') return confidential;
  return [{ method: 'none', label: 'None: a public client' }, ...confidential];
}

/**
 * A flow's scopes when none are typed, as the core's profile validator chooses them: `offline_access` only
 * where a refresh token can come (not implicit, not client credentials), no OpenID scopes for a service.
 */
export function defaultScopes(flow: Flow): string {
  if (flow === 'client_credentials') return '';
  return flow === 'implicit' ? 'openid profile email' : 'openid profile email offline_access';
}

const scopeList = (scopes: string): string[] => scopes.split(/\s+/).filter(Boolean);

/** The scopes for another flow: its default when the form still had the old flow's, else the typed ones minus what the new flow cannot use. */
function scopesFor(form: ProfileForm, flow: Flow): string {
  if (scopeList(form.scopes).join(' ') === defaultScopes(form.flow)) return defaultScopes(flow);
  if (flow === 'client_credentials') return scopeList(form.scopes).filter((s) => s !== 'openid' && s !== 'offline_access' && s !== 'profile' && s !== 'email').join(' ');
  if (flow === 'implicit') return scopeList(form.scopes).filter((s) => s !== 'offline_access').join(' ');
  return form.scopes;
}

/** The form with another flow: its default client authentication, and the scopes that flow can use. */
export function withFlow(form: ProfileForm, flow: Flow): ProfileForm {
  const clientAuth = flow === 'client_credentials' ? 'client_secret_basic' : 'none';
  const scopes = scopesFor(form, flow);
  // The implicit and hybrid flows start on their first response type; the others have none.
  const responseType = isFrontChannel(flow) ? RESPONSE_TYPE_CHOICES[flow][0]?.type : undefined;
  // PAR and DPoP are settings of the authorization code flow: another flow goes back to their defaults.
  return { ...form, flow, clientAuth, scopes, responseType, ...(flow === 'authorization_code' ? {} : { par: 'auto' as const, dpop: false }) };
}

/** The fields a message can be about. */
export type ProfileField = 'name' | 'issuer' | 'clientId' | 'scopes' | 'redirect' | 'params' | 'flow' | 'par' | 'dpop';

/** Messages by field. */
export type FieldErrors = Partial<Record<ProfileField, string>>;

const paramsText = (params: Readonly<Record<string, string>>): string => Object.entries(params).map(([k, v]) => `${k}=${v}`).join('\n');

/** A blank form, or one started from a preset. */
export function formFromPreset(preset: Preset | undefined, scopes?: string): ProfileForm {
  return {
    name: preset?.name ?? '',
    issuer: '',
    clientId: '',
    scopes: scopes ?? preset?.scopes ?? defaultScopes('authorization_code'),
    redirectMode: preset?.redirect ?? 'loopback',
    redirectUri: '',
    allowHttpLoopback: false,
    params: paramsText(preset?.extraParams ?? {}),
    flow: 'authorization_code',
    clientAuth: 'none',
    par: 'auto',
    dpop: false,
  };
}

/** The form of a saved profile. */
export function formFromProfile(profile: ProfileView): ProfileForm {
  // A flow that uses no redirect has none to show: the editor keeps its default should the flow change.
  const mode = profile.redirect === null ? 'loopback' : profile.redirect === 'loopback' || profile.redirect === 'app-scheme' ? profile.redirect : 'custom';
  return {
    name: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    scopes: profile.scopes.join(' '),
    redirectMode: mode,
    redirectUri: mode === 'custom' ? profile.redirect ?? '' : '',
    allowHttpLoopback: profile.allowHttpLoopback,
    params: paramsText(profile.extraParams),
    flow: profile.flow,
    clientAuth: profile.clientAuth,
    par: profile.par,
    dpop: profile.dpop,
    responseType: profile.responseType,
  };
}

/** The profile input of a form, or the messages that keep it from being one (checked here: what is missing or unparsable). */
export function formToInput(form: ProfileForm): { readonly input: ProfileInput } | { readonly errors: FieldErrors } {
  const errors: { -readonly [K in keyof FieldErrors]: FieldErrors[K] } = {};
  if (form.name.trim() === '') errors.name = 'Give the profile a name.';
  if (form.issuer.trim() === '') errors.issuer = 'The issuer is needed.';
  if (form.clientId.trim() === '') errors.clientId = 'The client id is needed.';
  // A service may ask for no scope (the provider's default ones); a person's sign-in needs at least one.
  if (form.scopes.trim() === '' && form.flow !== 'client_credentials') errors.scopes = 'At least one scope is needed, e.g. openid.';
  if (usesRedirect(form.flow) && form.redirectMode === 'custom' && form.redirectUri.trim() === '') errors.redirect = 'Enter the redirect URI, or choose loopback.';
  const extraParams: Record<string, string> = {};
  for (const line of form.params.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.params = 'Write each parameter on its own line as name=value.';
      break;
    }
    extraParams[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      name: form.name.trim(),
      issuer: form.issuer.trim(),
      clientId: form.clientId.trim(),
      scopes: form.scopes.trim(),
      redirect: form.redirectMode === 'custom' ? form.redirectUri.trim() : form.redirectMode,
      allowHttpLoopback: form.allowHttpLoopback,
      extraParams,
      flow: form.flow,
      clientAuth: form.clientAuth,
      par: form.par,
      dpop: form.dpop,
      ...(isFrontChannel(form.flow) && form.responseType !== undefined ? { responseType: form.responseType } : {}),
    },
  };
}

const USAGE_FIELDS: Readonly<Record<string, ProfileField>> = {
  name: 'name', issuer: 'issuer', clientId: 'clientId', scopes: 'scopes', redirect: 'redirect', extraParams: 'params', flow: 'flow', clientAuth: 'flow', par: 'par', dpop: 'dpop', responseType: 'flow',
};

/**
 * The field an API refusal is about: by its code where that decides it, else by what the core's message
 * names (a profile refusal names the field it is about). Undefined: a message for the whole form.
 */
export function fieldOfError(error: Pick<ErrorView, 'code' | 'message'>): ProfileField | undefined {
  switch (error.code) {
    case 'ISSUER_INVALID':
    case 'ISSUER_INSECURE':
    case 'DISCOVERY_FAILED':
    case 'DISCOVERY_ISSUER_MISMATCH':
      return 'issuer';
    case 'REDIRECT_SCHEME_INVALID':
    case 'REDIRECT_UNSUPPORTED':
      return 'redirect';
    case 'PROFILE_EXISTS':
      return 'name';
    case 'PAR_REQUIRED':
      return 'par';
    case 'USAGE': {
      const path = /"(?:profile\.)?([A-Za-z]+)/.exec(error.message)?.[1];
      return path === undefined ? undefined : USAGE_FIELDS[path];
    }
    case 'PROFILE_INVALID': {
      const m = error.message.toLowerCase();
      if (m.includes('parameter') || m.includes('max_age')) return 'params';
      if (m.includes('par setting') || m.includes('pushed authorization')) return 'par';
      if (m.includes('dpop')) return 'dpop';
      if (m.includes('client id')) return 'clientId';
      if (m.includes('flow') || m.includes('client authentication')) return 'flow';
      if (m.includes('profile name')) return 'name';
      if (m.includes('scope')) return 'scopes';
      return undefined;
    }
    default:
      return undefined;
  }
}
