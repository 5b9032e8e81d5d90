/** Which view the window shows, kept in the location's hash so that reload and back keep it. */
import { useCallback, useEffect, useState } from 'react';

/** The session detail's tabs. */
export type SessionTab = 'tokens' | 'userinfo' | 'timeline';

/** Every view, with what it shows. */
export type Route =
  | { readonly view: 'sessions'; readonly sessionId?: string; readonly tab?: SessionTab }
  | { readonly view: 'profiles'; readonly edit?: string; readonly preset?: string; readonly scopes?: string; readonly flow?: string }
  | { readonly view: 'guide' }
  | { readonly view: 'status' };

const TABS: readonly string[] = ['tokens', 'userinfo', 'timeline'];

/** The route of a hash such as `#/sessions/s-1a2b3c4d/timeline` or `#/profiles/new?preset=okta-custom`. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'profiles': {
      const preset = params.get('preset');
      const scopes = params.get('scopes');
      const flow = params.get('flow');
      const edit = parts[1] === 'edit' ? parts[2] : parts[1] === 'new' ? '' : undefined;
      return { view: 'profiles', ...(edit === undefined ? {} : { edit }), ...(preset === null ? {} : { preset }), ...(scopes === null ? {} : { scopes }), ...(flow === null ? {} : { flow }) };
    }
    case 'guide':
      return { view: 'guide' };
    case 'status':
      return { view: 'status' };
    default: {
      const sessionId = parts[0] === 'sessions' ? parts[1] : undefined;
      const tab = parts[2] !== undefined && TABS.includes(parts[2]) ? (parts[2] as SessionTab) : undefined;
      return { view: 'sessions', ...(sessionId === undefined ? {} : { sessionId }), ...(tab === undefined ? {} : { tab }) };
    }
  }
}

/** The hash of a route (the inverse of {@link parseRoute}). */
export function routeHash(route: Route): string {
  const e = encodeURIComponent;
  switch (route.view) {
    case 'sessions':
      return route.sessionId === undefined ? '#/sessions' : `#/sessions/${e(route.sessionId)}${route.tab === undefined ? '' : `/${route.tab}`}`;
    case 'profiles': {
      const params = new URLSearchParams();
      if (route.preset !== undefined) params.set('preset', route.preset);
      if (route.scopes !== undefined) params.set('scopes', route.scopes);
      if (route.flow !== undefined) params.set('flow', route.flow);
      const query = params.size > 0 ? `?${params.toString()}` : '';
      if (route.edit === undefined) return `#/profiles${query}`;
      return route.edit === '' ? `#/profiles/new${query}` : `#/profiles/edit/${e(route.edit)}${query}`;
    }
    default:
      return `#/${route.view}`;
  }
}

/** The current route and a way to go to another; follows the browser's back and forward. */
export function useRoute(): readonly [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((next: Route) => {
    window.location.hash = routeHash(next);
  }, []);
  return [route, go];
}
