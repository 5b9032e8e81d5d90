/** The profiles: each with its issuer, client and redirect, to edit, remove or sign in with; and the editor. */
import { useState } from 'react';
import type { ProfileView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { redirectToRegister } from '../format/host.ts';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import type { Profiles } from '../hooks/use-profiles.ts';
import type { Route } from '../hooks/use-route.ts';
import { ProfileEditor } from './profile-editor.tsx';
import { SchemeRegistrations } from './scheme-registrations.tsx';

export type Props = {
  readonly profiles: Profiles;
  readonly route: Extract<Route, { view: 'profiles' }>;
  readonly go: (route: Route) => void;
  readonly onSignIn: (profile: string) => void;
};

function ProfileRow({ profile, onRemove, onSignIn }: { readonly profile: ProfileView; readonly onRemove: (name: string) => void; readonly onSignIn: (name: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr data-profile={profile.name}>
      <th scope="row" className="wrap">{profile.name}</th>
      <td className="mono small wrap">{profile.issuer}</td>
      <td className="mono small wrap">{profile.clientId}</td>
      <td className="mono small wrap">{profile.redirect === null ? <span className="muted">none (this flow uses no redirect)</span> : redirectToRegister(profile.redirect)}</td>
      <td>
        <div className="actions">
        <button type="button" className="button button--small" onClick={() => onSignIn(profile.name)}>
          Sign in
        </button>
        <a className="button button--small" href={`#/profiles/edit/${encodeURIComponent(profile.name)}`} aria-label={`Edit ${profile.name}`}>
          Edit
        </a>
        {confirming ? (
          <>
            <button type="button" className="button button--small button--danger" onClick={() => onRemove(profile.name)}>
              Remove {profile.name}
            </button>
            <button type="button" className="button button--small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button button--small" onClick={() => setConfirming(true)} aria-label={`Remove ${profile.name}…`}>
            Remove…
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}

/** The list, or the editor when the route asks for it. */
export function ProfilesView({ profiles, route, go, onSignIn }: Props) {
  const remove = useDeskCall('removeProfile');
  const reload = profiles.reload;
  if (route.edit !== undefined) {
    const editing = route.edit === '' ? undefined : profiles.list.find((p) => p.name === route.edit);
    if (route.edit !== '' && editing === undefined) {
      return profiles.loaded ? <p className="note">There is no profile with that name any more. <a href="#/profiles">Back to the profiles</a></p> : null;
    }
    return (
      <ProfileEditor
        // Another profile or another preset is another form: its fields start afresh.
        key={`${route.edit}\n${route.preset ?? ''}\n${route.scopes ?? ''}\n${route.flow ?? ''}`}
        profile={editing}
        presetId={route.preset}
        scopes={route.scopes}
        flow={route.flow === 'client_credentials' || route.flow === 'password' || route.flow === 'okta_session_token' || route.flow === 'implicit' || route.flow === 'hybrid' || route.flow === 'device_code' ? route.flow : undefined}
        onSaved={() => {
          reload();
          go({ view: 'profiles' });
        }}
        onCancel={() => go({ view: 'profiles' })}
      />
    );
  }
  return (
    <div className="stack profiles-view">
      <div className="view-head">
        <h2 className="view-title">Profiles</h2>
        <a className="button button--primary" href="#/profiles/new">
          New profile
        </a>
      </div>
      <p className="muted">A profile says which provider, which client, which scopes and which redirect a sign-in uses.</p>
      {profiles.error === undefined ? null : <ErrorNotice error={profiles.error} action="Listing the profiles" />}
      {remove.state.status === 'done' && !remove.state.result.ok ? <ErrorNotice error={remove.state.result.error} action="Removing the profile" onDismiss={remove.reset} /> : null}
      {profiles.loaded && profiles.list.length === 0 ? <p>No profile yet. Make one from a preset, or try the demo provider from the Sessions view.</p> : (
        <table className="table profiles">
          <caption className="visually-hidden">Profiles</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Issuer</th>
              <th scope="col">Client id</th>
              <th scope="col">Redirect URI to register</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {profiles.list.map((p) => (
              <ProfileRow key={p.name} profile={p} onSignIn={onSignIn} onRemove={(name) => void remove.run({ name }).then(reload)} />
            ))}
          </tbody>
        </table>
      )}
      <SchemeRegistrations profiles={profiles.list} />
    </div>
  );
}
