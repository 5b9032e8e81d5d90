/** A profile with its sessions: who is signed in with it, and a sign-in button (refused in browser mode for a non-loopback redirect, with why). */
import { memo, useState } from 'react';
import type { ProfileView, SessionView } from '../../src-main/core/contract.ts';
import { inBrowserMode, redirectToRegister, usesLoopback } from '../format/host.ts';
import { asksForPassword, OKTA_SESSION_TOKEN_WARNING } from '../format/profile-form.ts';
import { PasswordSignIn } from './password-sign-in.tsx';
import { SessionRow } from './session-row.tsx';

export type Props = {
  readonly name: string;
  /** Undefined for sessions whose profile was removed since. */
  readonly profile: ProfileView | undefined;
  readonly sessions: readonly SessionView[];
  /** How many of them to render now: fewer than all only for a moment, while a long list is built in steps. */
  readonly rowsShown: number;
  readonly currentId: string | undefined;
  readonly starting: boolean;
  readonly onSignIn: (profile: string, credentials?: { readonly username: string; readonly password: string }) => void;
  readonly onSignOut: (sessionId: string) => void;
};

/** The group: heading, sign-in, and the sessions table. */
export const ProfileGroup = memo(function ProfileGroup({ name, profile, sessions, rowsShown, currentId, starting, onSignIn, onSignOut }: Props) {
  const headingId = `profile-${name}`;
  const [askingPassword, setAskingPassword] = useState(false);
  // Only the code flow needs a redirect back; the flows without a browser work from any host.
  const browserFlow = profile !== undefined && (profile.flow === 'authorization_code' || profile.flow === 'implicit' || profile.flow === 'hybrid');
  const blocked = profile !== undefined && browserFlow && inBrowserMode() && !usesLoopback(profile);
  return (
    <section className="panel profile-group" aria-labelledby={headingId} data-profile={name}>
      <div className="profile-group__head">
        <div>
          <h3 id={headingId} className="wrap">{name}</h3>
          {profile === undefined ? (
            <p className="muted">This profile was removed; its sessions remain until signed out.</p>
          ) : (
            <p className="muted mono small wrap">{profile.issuer}</p>
          )}
        </div>
        {profile === undefined ? null : (
          <button type="button" className="button" disabled={starting || blocked || askingPassword} onClick={() => (asksForPassword(profile.flow) ? setAskingPassword(true) : onSignIn(name))} aria-describedby={blocked ? `${headingId}-blocked` : undefined}>
            {starting ? 'Starting…' : profile.flow === 'client_credentials' ? (sessions.length === 0 ? 'Get a token' : 'Get a new token') : sessions.length === 0 ? 'Sign in' : 'Sign in another account'}
          </button>
        )}
      </div>
      {profile?.flow === 'client_credentials' ? <p className="muted small">Client credentials: a token for the client itself, no user and no browser.</p> : null}
      {(profile?.flow === 'implicit' || profile?.flow === 'hybrid') && profile.warning !== undefined ? (
        <p className="note note--warning small" role="note" data-legacy-warning="true">
          <span className="badge badge--legacy">legacy</span> <span className="mono">response_type={profile.responseType}</span>. {profile.warning}
        </p>
      ) : null}
      {profile?.flow === 'device_code' ? <p className="muted small">Device flow: you finish the sign-in on another device (a phone) with a code shown here.</p> : null}
      {askingPassword ? (
        <PasswordSignIn profile={name} starting={starting} {...(profile?.flow === 'okta_session_token' ? { warning: OKTA_SESSION_TOKEN_WARNING } : {})} onCancel={() => setAskingPassword(false)} onSubmit={(credentials) => {
          setAskingPassword(false);
          onSignIn(name, credentials);
        }} />
      ) : null}
      {blocked ? (
        <p id={`${headingId}-blocked`} className="note">
          This profile’s redirect, <code className="wrap">{redirectToRegister(profile.redirect ?? '')}</code>, is a custom scheme, which a browser tab cannot receive. Sign in with it from the
          desktop app, or give the profile a loopback redirect.
        </p>
      ) : null}
      {sessions.length === 0 ? (
        <p className="muted">No session yet.</p>
      ) : (
        // An ARIA table of rows that are boxes of their own: a row off screen is neither styled nor laid out
        // (content-visibility), which an HTML table row cannot be. A list may hold hundreds.
        <div className="sessions" role="table" aria-label={`Sessions of ${name}`}>
          <div role="rowgroup">
            <div role="row" className="sessions__row sessions__head">
              <span role="columnheader">Account</span>
              <span role="columnheader">Issuer</span>
              <span role="columnheader">Status</span>
              <span role="columnheader">Access token expires</span>
              <span role="columnheader">
                <span className="visually-hidden">Actions</span>
              </span>
            </div>
          </div>
          <div role="rowgroup">
            {(rowsShown < sessions.length ? sessions.slice(0, rowsShown) : sessions).map((s) => (
              <SessionRow key={s.id} session={s} current={s.id === currentId} onSignOut={onSignOut} />
            ))}
          </div>
        </div>
      )}
    </section>
  );
});
