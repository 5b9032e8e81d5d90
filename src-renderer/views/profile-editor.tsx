/** The profile editor: presets with their setup at the provider, the fields with their messages, Save and "Check provider". */
import { useState, type FormEvent } from 'react';
import type { ErrorView, ProfileView } from '../../src-main/core/contract.ts';
import { CallResult } from '../components/call-result.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Field, fieldProps } from '../components/field.tsx';
import { inBrowserMode, redirectToRegister } from '../format/host.ts';
import { PRESETS, presetById, type Preset } from '../format/presets.ts';
import { clientAuthChoices, fieldOfError, FLOW_CHOICES, formFromPreset, formFromProfile, formToInput, isFrontChannel, OKTA_SESSION_TOKEN_WARNING, PASSWORD_WARNING, usesRedirect, withFlow, type FieldErrors, type ProfileForm } from '../format/profile-form.ts';
import { ResponseTypeChoice } from './response-type-choice.tsx';
import { ClientCredentialPanel } from './client-credential-panel.tsx';
import { ParDpopSettings } from './par-dpop-settings.tsx';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import { ProviderCheckView } from './provider-check-view.tsx';

export type Props = {
  /** The profile edited; undefined for a new one. */
  readonly profile: ProfileView | undefined;
  readonly presetId: string | undefined;
  /** Scopes suggested by the flow guide. */
  readonly scopes: string | undefined;
  /** The flow suggested by the flow guide, for a new profile. */
  readonly flow?: 'client_credentials' | 'password' | 'okta_session_token' | 'implicit' | 'hybrid' | 'device_code' | undefined;
  readonly onSaved: (profile: ProfileView) => void;
  readonly onCancel: () => void;
};

/** Which message a change of each form key clears. */
const FIELD_OF_KEY: Readonly<Record<keyof ProfileForm, keyof FieldErrors>> = {
  name: 'name', issuer: 'issuer', clientId: 'clientId', scopes: 'scopes', redirectMode: 'redirect', redirectUri: 'redirect', allowHttpLoopback: 'issuer', params: 'params', flow: 'flow', clientAuth: 'flow', par: 'par', dpop: 'dpop', responseType: 'flow',
};

function PresetSetup({ preset, redirect }: { readonly preset: Preset; readonly redirect: string }) {
  return (
    <div className="note preset-setup" data-preset={preset.id}>
      <p>
        <strong>At {preset.label}:</strong>
      </p>
      <ol>
        {preset.setup.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <p>
        Redirect URI to register for this profile: <code className="wrap" data-register="true">{redirect}</code>
      </p>
    </div>
  );
}

/** The form. */
export function ProfileEditor({ profile, presetId, scopes, flow, onSaved, onCancel }: Props) {
  const [preset, setPreset] = useState<Preset | undefined>(() => (profile === undefined ? presetById(presetId) ?? presetById('generic') : undefined));
  const [form, setForm] = useState<ProfileForm>(() => {
    if (profile !== undefined) return formFromProfile(profile);
    const fresh = formFromPreset(preset, scopes);
    // The route's scopes as given; without them, the ones the flow can use (no offline_access for implicit).
    return flow === undefined ? fresh : { ...withFlow(fresh, flow), ...(scopes === undefined ? {} : { scopes }) };
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<ErrorView | undefined>(undefined);
  const add = useDeskCall('addProfile');
  const update = useDeskCall('updateProfile');
  const check = useDeskCall('checkProvider');

  const set = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [FIELD_OF_KEY[key]]: undefined }));
  };

  const choosePreset = (next: Preset) => {
    setPreset(next);
    setForm((f) => ({ ...formFromPreset(next), issuer: f.issuer, clientId: f.clientId }));
    setErrors({});
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = formToInput(form);
    if ('errors' in parsed) {
      setErrors(parsed.errors);
      return;
    }
    setFormError(undefined);
    const result = await (profile === undefined ? add.run({ profile: parsed.input }) : update.run({ name: profile.name, profile: parsed.input }));
    if (result.ok) {
      onSaved(result.value);
      return;
    }
    const field = fieldOfError(result.error);
    if (field === undefined) setFormError(result.error);
    else setErrors({ [field]: result.error.message });
  };

  const onCheck = () => {
    if (form.issuer.trim() === '' || form.clientId.trim() === '') {
      setErrors((e) => ({ ...e, ...(form.issuer.trim() === '' ? { issuer: 'The issuer is needed to check the provider.' } : {}), ...(form.clientId.trim() === '' ? { clientId: 'The client id is needed to check the provider.' } : {}) }));
      return;
    }
    void check.run({ issuer: form.issuer.trim(), clientId: form.clientId.trim(), allowHttpLoopback: form.allowHttpLoopback }).then((result) => {
      if (!result.ok && fieldOfError(result.error) === 'issuer') setErrors((e) => ({ ...e, issuer: result.error.message }));
    });
  };

  const redirect = form.redirectMode === 'custom' ? form.redirectUri.trim() || 'the URI you enter' : redirectToRegister(form.redirectMode);
  const saving = add.state.status === 'pending' || update.state.status === 'pending';
  return (
    <section className="panel profile-editor" aria-labelledby="profile-editor-title">
      <h2 id="profile-editor-title" className="wrap">{profile === undefined ? 'New profile' : `Edit profile ${profile.name}`}</h2>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        {profile === undefined ? (
          <fieldset className="presets">
            <legend>Start from a preset</legend>
            {PRESETS.map((p) => (
              <label key={p.id} className="preset">
                <input type="radio" name="preset" value={p.id} checked={preset?.id === p.id} onChange={() => choosePreset(p)} />
                {p.label}
              </label>
            ))}
          </fieldset>
        ) : null}
        {preset === undefined ? null : <PresetSetup preset={preset} redirect={redirect} />}
        <Field id="profile-name" label="Name" error={errors.name} hint="Letters, digits, dots, dashes or underscores.">
          <input {...fieldProps('profile-name', errors.name, true)} value={form.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field id="profile-issuer" label="Issuer" error={errors.issuer} hint={preset?.issuerHint ?? 'The issuer exactly as the provider states it.'}>
          <input {...fieldProps('profile-issuer', errors.issuer, true)} value={form.issuer} placeholder={preset?.issuerExample} onChange={(e) => set('issuer', e.target.value)} type="url" autoComplete="off" spellCheck={false} />
        </Field>
        <Field id="profile-client-id" label="Client id" error={errors.clientId}>
          <input {...fieldProps('profile-client-id', errors.clientId, false)} value={form.clientId} onChange={(e) => set('clientId', e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <fieldset className={errors.flow === undefined ? 'field' : 'field field--invalid'} aria-describedby={errors.flow === undefined ? undefined : 'profile-flow-error'}>
          <legend>Flow</legend>
          {FLOW_CHOICES.map((c) => (
            <label key={c.flow} className="choice">
              <input type="radio" name="flow" value={c.flow} checked={form.flow === c.flow} onChange={() => {
                setForm((f) => withFlow(f, c.flow));
                setErrors(({ flow: _flow, scopes: _scopes, ...rest }) => rest);
              }} />
              <span>
                <strong>{c.label}</strong>: {c.purpose}
              </span>
            </label>
          ))}
          {form.flow === 'password' ? <p className="note note--warning" role="note" data-legacy-warning="true">{PASSWORD_WARNING}</p> : null}
          {form.flow === 'okta_session_token' ? <p className="note note--warning" role="note" data-flow-warning="okta_session_token">{OKTA_SESSION_TOKEN_WARNING}</p> : null}
          {isFrontChannel(form.flow) ? <ResponseTypeChoice flow={form.flow} value={form.responseType} redirectMode={form.redirectMode} onChange={(type) => set('responseType', type)} /> : null}
          {usesRedirect(form.flow) ? null : (
            <>
              <label htmlFor="profile-client-auth">Client authentication</label>
              <select id="profile-client-auth" value={form.clientAuth} onChange={(e) => set('clientAuth', e.target.value as ProfileForm['clientAuth'])}>
                {clientAuthChoices(form.flow).map((m) => (
                  <option key={m.method} value={m.method}>{m.label}</option>
                ))}
              </select>
              <p className="field__hint">
                {form.clientAuth === 'none' ? 'No secret: the provider must allow this grant for a public client.' : profile === undefined ? 'After saving, set the client secret (or make the key pair) here; it goes to the OS keychain, never to a file.' : 'The secret or key is set below, in the OS keychain.'}
              </p>
            </>
          )}
          {errors.flow === undefined ? null : <p id="profile-flow-error" className="field__error">{errors.flow}</p>}
        </fieldset>
        <Field id="profile-scopes" label="Scopes" error={errors.scopes} hint="Separated by spaces. openid makes it OpenID Connect (an ID token); offline_access asks for a refresh token.">
          <input {...fieldProps('profile-scopes', errors.scopes, true)} value={form.scopes} onChange={(e) => set('scopes', e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        {!usesRedirect(form.flow) ? null : (
        <fieldset className={errors.redirect === undefined ? 'field' : 'field field--invalid'} aria-describedby={errors.redirect === undefined ? 'profile-redirect-hint' : 'profile-redirect-hint profile-redirect-error'}>
          <legend>Redirect</legend>
          <label className="choice">
            <input type="radio" name="redirect" checked={form.redirectMode === 'loopback'} onChange={() => set('redirectMode', 'loopback')} />
            Loopback: 127.0.0.1 on a free port (register http://127.0.0.1/callback)
          </label>
          <label className="choice">
            <input type="radio" name="redirect" checked={form.redirectMode === 'app-scheme'} onChange={() => set('redirectMode', 'app-scheme')} />
            The desktop app’s scheme (register dev.oidcdesk:/callback)
          </label>
          <label className="choice">
            <input type="radio" name="redirect" checked={form.redirectMode === 'custom'} onChange={() => set('redirectMode', 'custom')} />
            Another URI: a private-use scheme or a fixed loopback port
          </label>
          {form.redirectMode === 'custom' ? (
            <>
              <label htmlFor="profile-redirect-uri">Redirect URI</label>
              <input id="profile-redirect-uri" aria-invalid={errors.redirect !== undefined} value={form.redirectUri} placeholder="com.example.app:/callback or http://127.0.0.1:8765/callback" onChange={(e) => set('redirectUri', e.target.value)} autoComplete="off" spellCheck={false} />
            </>
          ) : null}
          <p id="profile-redirect-hint" className="field__hint">
            {form.flow === 'okta_session_token' ? 'Register it at Okta as for the code flow. Nothing listens on it: OIDC Desk reads the redirect from Okta’s answer, so any of the three works here.' : inBrowserMode() ? 'In a browser tab only a loopback redirect can come back; a custom scheme needs the desktop app.' : 'Loopback works everywhere; a custom scheme needs the installed desktop app.'}
          </p>
          {errors.redirect === undefined ? null : <p id="profile-redirect-error" className="field__error">{errors.redirect}</p>}
        </fieldset>
        )}
        {form.flow !== 'authorization_code' ? null : <ParDpopSettings par={form.par} dpop={form.dpop} parError={errors.par} dpopError={errors.dpop} onPar={(mode) => set('par', mode)} onDpop={(on) => set('dpop', on)} />}
        <div className="field">
          <label className="choice">
            <input type="checkbox" checked={form.allowHttpLoopback} onChange={(e) => set('allowHttpLoopback', e.target.checked)} />
            Allow an http issuer on this computer (127.0.0.1 or localhost), for local test providers
          </label>
        </div>
        <Field id="profile-params" label="Extra authorization parameters" error={errors.params} hint="One name=value per line, e.g. prompt=consent or max_age=3600.">
          <textarea {...fieldProps('profile-params', errors.params, true)} value={form.params} rows={3} onChange={(e) => set('params', e.target.value)} spellCheck={false} />
        </Field>
        {formError === undefined ? null : <ErrorNotice error={formError} action="Saving the profile" />}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={saving}>
            {profile === undefined ? 'Save profile' : 'Save changes'}
          </button>
          <button type="button" className="button" onClick={onCheck} disabled={check.state.status === 'pending'}>
            {check.state.status === 'pending' ? 'Checking…' : 'Check provider'}
          </button>
          <button type="button" className="button button--quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {profile !== undefined && profile.clientAuth !== 'none' ? <ClientCredentialPanel profile={profile} /> : null}
      <CallResult state={check.state} action="Check provider" onDismiss={check.reset}>
        {(result) => <ProviderCheckView check={result} />}
      </CallResult>
    </section>
  );
}
