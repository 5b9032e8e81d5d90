/** The implicit and hybrid flows in the profile editor: their legacy warning, the response type, and how the response comes back on the chosen redirect. */
import type { FrontChannelResponseType } from '../../src-main/core/contract.ts';
import { FRONT_CHANNEL_WARNINGS, RESPONSE_TYPE_CHOICES, type ProfileForm } from '../format/profile-form.ts';

export type Props = {
  readonly flow: 'implicit' | 'hybrid';
  readonly value: FrontChannelResponseType | undefined;
  readonly redirectMode: ProfileForm['redirectMode'];
  readonly onChange: (type: FrontChannelResponseType) => void;
};

/** The warning, then the choice. */
export function ResponseTypeChoice({ flow, value, redirectMode, onChange }: Props) {
  const choices = RESPONSE_TYPE_CHOICES[flow];
  return (
    <div className="response-type" data-response-type-choice={flow}>
      <p className="note note--warning" role="note" data-legacy-warning="true">{FRONT_CHANNEL_WARNINGS[flow]}</p>
      <label htmlFor="profile-response-type">Response type</label>
      <select id="profile-response-type" value={value ?? choices[0]?.type} aria-describedby="profile-response-type-hint" onChange={(e) => {
        const chosen = choices.find((c) => c.type === e.target.value);
        if (chosen !== undefined) onChange(chosen.type);
      }}>
        {choices.map((c) => (
          <option key={c.type} value={c.type}>{`${c.type}: ${c.gives}`}</option>
        ))}
      </select>
      <p id="profile-response-type-hint" className="field__hint" data-response-mode={redirectMode === 'app-scheme' ? 'fragment' : redirectMode === 'loopback' ? 'form_post' : 'either'}>
        {redirectMode === 'loopback'
          ? 'On loopback the provider’s page posts the response to OIDC Desk (response_mode=form_post): a browser never sends the fragment to a server.'
          : redirectMode === 'app-scheme'
            ? 'On the app’s scheme the response comes in the fragment of the redirect (response_mode=fragment).'
            : 'A custom scheme gets the response in the fragment (response_mode=fragment), a fixed loopback URI as a form post (response_mode=form_post).'}
        {flow === 'hybrid' ? ' The code is then exchanged with PKCE, and the token endpoint’s ID token must name the same user.' : ' A nonce binds the ID token to this sign-in; at_hash binds the access token to the ID token.'}
      </p>
    </div>
  );
}
