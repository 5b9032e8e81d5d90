/** Where this page runs, and what that allows: a browser tab (browser mode) cannot receive a custom-scheme redirect. */
import type { ProfileView } from '../../src-main/core/contract.ts';

/** True in browser mode (`oidc-desk ui`): the page is served over http(s), not loaded by the desktop app. */
export function inBrowserMode(): boolean {
  return window.location.protocol === 'http:' || window.location.protocol === 'https:';
}

/** True when the profile's sign-in answer comes back on a loopback port (127.0.0.1 or [::1]). */
export function usesLoopback(profile: Pick<ProfileView, 'redirect'>): boolean {
  return profile.redirect === 'loopback' || profile.redirect.startsWith('http://127.0.0.1:') || profile.redirect.startsWith('http://[::1]:');
}

/** The redirect URI to register at the provider for a profile's redirect setting. */
export function redirectToRegister(redirect: string): string {
  if (redirect === 'loopback') return 'http://127.0.0.1/callback';
  if (redirect === 'app-scheme') return 'dev.oidcdesk:/callback';
  return redirect;
}
