/** A profile with its sessions: who is signed in with it, and a sign-in button (refused in browser mode for a non-loopback redirect, with why). */
import { memo } from 'react';
import type { ProfileView, SessionView } from '../../src-main/core/contract.ts';
import { inBrowserMode, redirectToRegister, usesLoopback } from '../format/host.ts';
import { SessionRow } from './session-row.tsx';

export type Props = {
  readonly name: string;
  /** Undefined for sessions whose profile was removed since. */
  readonly profile: ProfileView | undefined;
  readonly sessions: readonly SessionView[];
  readonly currentId: string | undefined;
  readonly starting: boolean;
  readonly onSignIn: (profile: string) => void;
  readonly onSignOut: (sessionId: string) => void;
};

/** The group: heading, sign-in, and the sessions table. */
export const ProfileGroup = memo(function ProfileGroup({ name, profile, sessions, currentId, starting, onSignIn, onSignOut }: Props) {
  const headingId = `profile-${name}`;
  const blocked = profile !== undefined && inBrowserMode() && !usesLoopback(profile);
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
          <button type="button" className="button" disabled={starting || blocked} onClick={() => onSignIn(name)} aria-describedby={blocked ? `${headingId}-blocked` : undefined}>
            {starting ? 'Starting…' : sessions.length === 0 ? 'Sign in' : 'Sign in another account'}
          </button>
        )}
      </div>
      {blocked ? (
        <p id={`${headingId}-blocked`} className="note">
          This profile’s redirect, <code className="wrap">{redirectToRegister(profile.redirect)}</code>, is a custom scheme, which a browser tab cannot receive. Sign in with it from the
          desktop app, or give the profile a loopback redirect.
        </p>
      ) : null}
      {sessions.length === 0 ? (
        <p className="muted">No session yet.</p>
      ) : (
        <table className="table sessions">
          <caption className="visually-hidden">Sessions of {name}</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Issuer</th>
              <th scope="col">Status</th>
              <th scope="col">Access token expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow key={s.id} session={s} current={s.id === currentId} onSignOut={onSignOut} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});
