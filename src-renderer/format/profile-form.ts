/** The profile editor's form: its fields as typed, to and from a profile, and which field an API refusal is about. */
import type { ClientAuthMethod, ErrorView, Flow, ProfileInput, ProfileView } from '../../src-main/core/contract.ts';
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
}

/** The flows the editor offers, each with what it is for. */
export const FLOW_CHOICES: readonly { readonly flow: Flow; readonly label: string; readonly purpose: string }[] = [
  { flow: 'authorization_code', label: 'Authorization code with PKCE', purpose: 'A person signs in through the system browser. The flow for people.' },
  { flow: 'client_credentials', label: 'Client credentials', purpose: 'A service with no user gets a token for itself with its client secret or key (an Okta service app).' },
  { flow: 'password', label: 'Resource owner password (legacy)', purpose: 'The username and password go to the token endpoint. For a trusted first-party client only.' },
  { flow: 'device_code', label: 'Device authorization (device code)', purpose: 'A person signs in on another device, a phone, with a short code: for a device with no browser or no keyboard (RFC 8628).' },
];

/** What the editor says about the password flow (the core's views carry the same warning). */
export const PASSWORD_WARNING = 'Legacy flow: the password is handed to this app. RFC 9700 says this grant must not be used; use it only with a trusted first-party client in a trusted environment, and prefer the authorization code flow.';

/** The client authentication methods the editor offers for a flow. */
export function clientAuthChoices(flow: Flow): readonly { readonly method: ClientAuthMethod; readonly label: string }[] {
  const confidential = [
    { method: 'client_secret_basic', label: 'Client secret, HTTP Basic (client_secret_basic)' },
    { method: 'client_secret_post', label: 'Client secret in the request body (client_secret_post)' },
    { method: 'private_key_jwt', label: 'Signed assertion with a key pair made here (private_key_jwt)' },
  ] as const;
  if (flow === 'authorization_code') return [{ method: 'none', label: 'None: a public native client' }];
  if (flow === 'client_credentials') return confidential;
  return [{ method: 'none', label: 'None: a public client' }, ...confidential];
}

/** The form with another flow: its default client authentication, and no OpenID scopes for a service. */
export function withFlow(form: ProfileForm, flow: Flow): ProfileForm {
  const clientAuth = flow === 'client_credentials' ? 'client_secret_basic' : 'none';
  const scopes = flow === 'client_credentials' ? form.scopes.split(/\s+/).filter((s) => s !== 'openid' && s !== 'offline_access' && s !== 'profile' && s !== 'email').join(' ') : form.scopes;
  return { ...form, flow, clientAuth, scopes };
}

/** The fields a message can be about. */
export type ProfileField = 'name' | 'issuer' | 'clientId' | 'scopes' | 'redirect' | 'params' | 'flow';

/** Messages by field. */
export type FieldErrors = Partial<Record<ProfileField, string>>;

const paramsText = (params: Readonly<Record<string, string>>): string => Object.entries(params).map(([k, v]) => `${k}=${v}`).join('\n');

/** A blank form, or one started from a preset. */
export function formFromPreset(preset: Preset | undefined, scopes?: string): ProfileForm {
  return {
    name: preset?.name ?? '',
    issuer: '',
    clientId: '',
    scopes: scopes ?? preset?.scopes ?? 'openid profile email offline_access',
    redirectMode: preset?.redirect ?? 'loopback',
    redirectUri: '',
    allowHttpLoopback: false,
    params: paramsText(preset?.extraParams ?? {}),
    flow: 'authorization_code',
    clientAuth: 'none',
  };
}

/** The form of a saved profile. */
export function formFromProfile(profile: ProfileView): ProfileForm {
  const mode = profile.redirect === 'loopback' || profile.redirect === 'app-scheme' ? profile.redirect : 'custom';
  return {
    name: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    scopes: profile.scopes.join(' '),
    redirectMode: mode,
    redirectUri: mode === 'custom' ? profile.redirect : '',
    allowHttpLoopback: profile.allowHttpLoopback,
    params: paramsText(profile.extraParams),
    flow: profile.flow,
    clientAuth: profile.clientAuth,
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
  if (form.flow === 'authorization_code' && form.redirectMode === 'custom' && form.redirectUri.trim() === '') errors.redirect = 'Enter the redirect URI, or choose loopback.';
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
    },
  };
}

const USAGE_FIELDS: Readonly<Record<string, ProfileField>> = {
  name: 'name', issuer: 'issuer', clientId: 'clientId', scopes: 'scopes', redirect: 'redirect', extraParams: 'params', flow: 'flow', clientAuth: 'flow',
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
    case 'USAGE': {
      const path = /"(?:profile\.)?([A-Za-z]+)/.exec(error.message)?.[1];
      return path === undefined ? undefined : USAGE_FIELDS[path];
    }
    case 'PROFILE_INVALID': {
      const m = error.message.toLowerCase();
      if (m.includes('parameter') || m.includes('max_age')) return 'params';
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
