/** The profile editor's form: its fields as typed, to and from a profile, and which field an API refusal is about. */
import type { ErrorView, ProfileInput, ProfileView } from '../../src-main/core/contract.ts';
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
}

/** The fields a message can be about. */
export type ProfileField = 'name' | 'issuer' | 'clientId' | 'scopes' | 'redirect' | 'params';

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
  };
}

/** The profile input of a form, or the messages that keep it from being one (checked here: what is missing or unparsable). */
export function formToInput(form: ProfileForm): { readonly input: ProfileInput } | { readonly errors: FieldErrors } {
  const errors: { -readonly [K in keyof FieldErrors]: FieldErrors[K] } = {};
  if (form.name.trim() === '') errors.name = 'Give the profile a name.';
  if (form.issuer.trim() === '') errors.issuer = 'The issuer is needed.';
  if (form.clientId.trim() === '') errors.clientId = 'The client id is needed.';
  if (form.scopes.trim() === '') errors.scopes = 'At least one scope is needed, e.g. openid.';
  if (form.redirectMode === 'custom' && form.redirectUri.trim() === '') errors.redirect = 'Enter the redirect URI, or choose loopback.';
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
    },
  };
}

const USAGE_FIELDS: Readonly<Record<string, ProfileField>> = {
  name: 'name', issuer: 'issuer', clientId: 'clientId', scopes: 'scopes', redirect: 'redirect', extraParams: 'params',
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
      if (m.includes('profile name')) return 'name';
      if (m.includes('scope')) return 'scopes';
      return undefined;
    }
    default:
      return undefined;
  }
}
