/** Where this page runs, and what that allows: a browser tab (browser mode) cannot receive a custom-scheme redirect. */
import type { ProfileView } from '../../src-main/core/contract.ts';

/** True in browser mode (`oidc-desk ui`): the page is served over http(s), not loaded by the desktop app. */
export function inBrowserMode(): boolean {
  return window.location.protocol === 'http:' || window.location.protocol === 'https:';
}

/** True when the profile's sign-in answer comes back on a loopback port (127.0.0.1 or [::1]). */
export function usesLoopback(profile: Pick<ProfileView, 'redirect'>): boolean {
  const { redirect } = profile;
  return redirect !== null && (redirect === 'loopback' || redirect.startsWith('http://127.0.0.1:') || redirect.startsWith('http://[::1]:'));
}

/** True when the profile's sign-in answer comes back on a URI scheme (the app's or a custom one), which the OS must hand to the app. */
export function usesScheme(profile: Pick<ProfileView, 'redirect'>): profile is { readonly redirect: string } {
  return profile.redirect !== null && !usesLoopback(profile);
}

/** The redirect URI to register at the provider for a profile's redirect setting. */
export function redirectToRegister(redirect: string): string {
  if (redirect === 'loopback') return 'http://127.0.0.1/callback';
  if (redirect === 'app-scheme') return 'dev.oidcdesk:/callback';
  return redirect;
}
