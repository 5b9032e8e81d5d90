/**
 * The API's private-use URI scheme operations over the desktop app's {@link SchemeHost}: a profile's scheme,
 * whether the OS hands it to this app, the self-test, and the registration of every profile's scheme.
 * @module
 */
import type { SchemeHost, SchemeStatusView, SchemeTestView } from '../contract.ts';
import { DeskError } from '../errors.ts';
import { APP_SCHEME, type Profile } from '../profile.ts';

/**
 * The scheme of a profile's redirect URI (already checked as reverse-domain by the profile validator), or
 * null for a loopback redirect.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.1
 */
export function profileScheme(profile: Pick<Profile, 'redirect'>): string | null {
  const { redirect } = profile;
  if (redirect.kind === 'app-scheme') return APP_SCHEME;
  if (redirect.kind === 'custom-scheme') return redirect.uri.slice(0, redirect.uri.indexOf(':'));
  return null;
}

/** The host, or the stable refusal of a front that has none (the CLI, browser mode). */
export function requireSchemeHost(host: SchemeHost | undefined): SchemeHost {
  if (host === undefined) {
    throw new DeskError('SCHEME_HOST_UNAVAILABLE', 'Only the desktop app registers URI schemes with the operating system and can test them; here a redirect scheme is neither registered nor checked.');
  }
  return host;
}

/** What the OS says about the profile's redirect scheme. */
export async function schemeStatus(host: SchemeHost, profile: Profile): Promise<SchemeStatusView> {
  const scheme = profileScheme(profile);
  if (scheme === null) {
    return { profile: profile.name, scheme: null, registered: 'not-applicable', detail: 'This profile redirects to a loopback address: no URI scheme needs registering.' };
  }
  const found = await host.status(scheme);
  return { profile: profile.name, scheme, registered: found.registered, ...(found.handler === undefined ? {} : { handler: found.handler }), detail: found.detail };
}

/** The self-test of the profile's redirect scheme; a loopback profile has none. */
export async function testScheme(host: SchemeHost, profile: Profile): Promise<SchemeTestView> {
  const scheme = profileScheme(profile);
  if (scheme === null) throw new DeskError('REDIRECT_UNSUPPORTED', 'This profile redirects to a loopback address: it has no URI scheme to test.');
  const { waitedMs } = await host.selfTest(scheme);
  return { profile: profile.name, scheme, arrived: true, waitedMs };
}

/** Registers the scheme of every profile given (the app's own scheme always), each once; returns them. */
export async function registerProfileSchemes(host: SchemeHost, profiles: readonly Profile[]): Promise<readonly string[]> {
  const schemes = [...new Set([APP_SCHEME, ...profiles.map(profileScheme).filter((s) => s !== null)])];
  await host.register(schemes);
  return schemes;
}
