/** The profile editor's two settings of the authorization code flow, PAR and DPoP, each with one line on what it does. */
import type { ParMode } from '../../src-main/core/contract.ts';
import { Field, fieldProps } from '../components/field.tsx';

export type Props = {
  readonly par: ParMode;
  readonly dpop: boolean;
  readonly parError: string | undefined;
  readonly dpopError: string | undefined;
  readonly onPar: (mode: ParMode) => void;
  readonly onDpop: (on: boolean) => void;
};

/** The PAR choices, in the order shown. */
export const PAR_CHOICES: readonly { readonly mode: ParMode; readonly label: string }[] = [
  { mode: 'auto', label: 'Auto: when the provider requires it' },
  { mode: 'always', label: 'Always' },
  { mode: 'never', label: 'Never' },
];

/** What each setting does, in one line (RFC 9126, RFC 9449). */
export const PAR_HINT = 'The sign-in request goes to the provider first (RFC 9126); the browser’s URL then carries only a one-time reference to it, nothing to read or change.';
export const DPOP_HINT = 'The tokens are bound to a key of this session, kept in the OS keychain (RFC 9449): each token request and userinfo call carries a proof signed with it, so a stolen token is useless alone.';

/** The two settings. */
export function ParDpopSettings({ par, dpop, parError, dpopError, onPar, onDpop }: Props) {
  const dpopDescribed = ['profile-dpop-hint', ...(dpopError === undefined ? [] : ['profile-dpop-error'])].join(' ');
  return (
    <>
      <Field id="profile-par" label="Pushed authorization requests (PAR)" error={parError} hint={PAR_HINT}>
        <select {...fieldProps('profile-par', parError, true)} value={par} onChange={(e) => onPar(e.target.value as ParMode)}>
          {PAR_CHOICES.map((c) => (
            <option key={c.mode} value={c.mode}>{c.label}</option>
          ))}
        </select>
      </Field>
      <div className={dpopError === undefined ? 'field' : 'field field--invalid'}>
        <label className="choice">
          <input id="profile-dpop" type="checkbox" checked={dpop} aria-invalid={dpopError !== undefined} aria-describedby={dpopDescribed} onChange={(e) => onDpop(e.target.checked)} />
          DPoP: bind the tokens to a key of this session
        </label>
        <p id="profile-dpop-hint" className="field__hint">{DPOP_HINT}</p>
        {dpopError === undefined ? null : <p id="profile-dpop-error" className="field__error">{dpopError}</p>}
      </div>
    </>
  );
}
