/** What the CLI says and does about pushed authorization requests (RFC 9126) and DPoP-bound sessions (RFC 9449). */
import type { DeskApi, ProfileView, SessionView, SignInStart } from '../core/contract.ts';
import type { BrowserMode } from './args.ts';
import { openAuthorizationUrl } from './browser.ts';
import type { CliContext } from './context.ts';
import { duration, isoTime } from './output.ts';

/**
 * Hands a started sign-in to the browser (see `openAuthorizationUrl`), saying first when its request was
 * pushed. A pushed request whose `request_uri` has already run out is not opened: the sign-in is ended as
 * `PAR_REQUEST_EXPIRED` (its outcome says so) rather than sending the browser to the provider's error page.
 */
export async function openSignIn(ctx: CliContext, api: DeskApi, started: SignInStart, mode: BrowserMode): Promise<never> {
  const until = started.requestUriExpiresAt;
  if (until !== undefined) {
    if (ctx.now() >= until) {
      await api.cancelSignIn({ flowId: started.flowId, reason: 'request-uri-expired' });
      return new Promise<never>(() => undefined);
    }
    ctx.out.info(`The authorization request was pushed to the provider (PAR, RFC 9126): the browser's URL carries only client_id and request_uri, which the provider takes once, until ${isoTime(until) ?? '?'} (${duration(until - ctx.now())}).`);
  }
  return openAuthorizationUrl(mode, started.authorizationUrl, ctx.out);
}

/** The line about a DPoP-bound session: its key's thumbprint, and that the key never leaves the keychain. */
export function dpopText(view: SessionView): string | undefined {
  if (view.dpop === undefined) return undefined;
  return `DPoP (RFC 9449): this session's tokens are bound to its key (thumbprint ${view.dpop.jkt}), which stays in the OS keychain.`;
}

/** What `token` adds for a DPoP-bound access token: an API takes it only with a proof of the session's key. */
export function dpopTokenNote(view: SessionView): string | undefined {
  if (view.dpop === undefined) return undefined;
  return `This access token is DPoP-bound (RFC 9449) to this session's key (thumbprint ${view.dpop.jkt}): an API accepts it only with a DPoP proof signed by that key, which stays in the OS keychain ("oidc-desk userinfo" makes one).`;
}

/** The PAR and DPoP settings of a profile as `profile add` and `profile list` show them, when not the defaults. */
export function profileSettings(profile: ProfileView): string[] {
  return [...(profile.par === 'auto' ? [] : [`par=${profile.par}`]), ...(profile.dpop ? ['dpop'] : [])];
}
