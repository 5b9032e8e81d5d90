/** The sign-in of a profile that takes a password (the legacy password flow; Okta's session token): its warning, the username, and the password sent once and not kept by the window. */
import { useState, type FormEvent } from 'react';
import { PASSWORD_WARNING } from '../format/profile-form.ts';

export type Props = {
  readonly profile: string;
  readonly starting: boolean;
  readonly onSubmit: (credentials: { readonly username: string; readonly password: string }) => void;
  readonly onCancel: () => void;
  /** Another flow's warning (Okta's session token); the password flow's legacy warning when absent. */
  readonly warning?: string;
};

/** The form. */
export function PasswordSignIn({ profile, starting, onSubmit, onCancel, warning }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const id = `password-sign-in-${profile}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (username === '' || password === '') return;
    onSubmit({ username, password });
    // Sent once: the window does not keep it.
    setPassword('');
  };
  return (
    <form className="password-sign-in" onSubmit={submit} aria-label={`Sign in to ${profile} with a password`} noValidate>
      {warning === undefined ? <p className="note note--warning" role="note" data-legacy-warning="true">{PASSWORD_WARNING}</p> : <p className="note note--warning" role="note" data-flow-warning="true">{warning}</p>}
      <div className="field">
        <label htmlFor={`${id}-username`}>Username</label>
        <input id={`${id}-username`} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input id={`${id}-password`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      </div>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={starting || username === '' || password === ''}>
          {starting ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
