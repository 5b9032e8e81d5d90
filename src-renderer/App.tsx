/** The window: header with the views and the keychain state, start-up problems, and the view the route names. */
import { useEffect, useRef } from 'react';
import { ErrorNotice } from './components/error-notice.tsx';
import { asksForPassword } from './format/profile-form.ts';
import { useDesk } from './hooks/use-desk.ts';
import { useDeskQuery } from './hooks/use-desk-query.ts';
import { useKeychain } from './hooks/use-keychain.ts';
import { useProfiles } from './hooks/use-profiles.ts';
import { useRoute, type Route } from './hooks/use-route.ts';
import { useSessions } from './hooks/use-sessions.ts';
import { useSignIns } from './hooks/use-sign-ins.ts';
import { FlowGuide } from './views/flow-guide.tsx';
import { NotConnected } from './views/not-connected.tsx';
import { ProfilesView } from './views/profiles-view.tsx';
import { SessionsView } from './views/sessions-view.tsx';
import { StatusView } from './views/status-view.tsx';

const NAV: readonly { readonly view: Route['view']; readonly label: string; readonly href: string }[] = [
  { view: 'sessions', label: 'Sessions', href: '#/sessions' },
  { view: 'profiles', label: 'Profiles', href: '#/profiles' },
  { view: 'guide', label: 'Flow guide', href: '#/guide' },
  { view: 'status', label: 'Status', href: '#/status' },
];

const KEYCHAIN_BADGE = { available: 'keychain', locked: 'keychain locked', unavailable: 'no keychain' } as const;

function Desk() {
  const [route, go] = useRoute();
  const sessions = useSessions();
  const profiles = useProfiles();
  const signIns = useSignIns();
  const { keychain, error: keychainError } = useKeychain();
  const problems = useDeskQuery('startupProblems', 'startup');
  const problemList = problems.result?.ok === true ? problems.result.value : [];

  // A sign-in started here that completes opens its session's tokens: what a newcomer came to see.
  const shown = useRef(new Set<string>());
  const latest = signIns.outcomes[0];
  const reloadProfiles = profiles.reload;
  useEffect(() => {
    // A sign-in without a browser may be heard of (its event) before its answer says it was started here.
    const key = latest === undefined ? '' : `${latest.flowId}${latest.ok && latest.startedHere ? ' here' : ''}`;
    if (latest === undefined || shown.current.has(key)) return;
    shown.current.add(key);
    if (!latest.ok) return;
    // Its profile may be new (the demo profile of a first run, or one made by another front).
    reloadProfiles();
    if (latest.startedHere) go({ view: 'sessions', sessionId: latest.session.id, tab: 'tokens' });
  }, [latest, go, reloadProfiles]);

  const onSignIn = (profile: string) => {
    go({ view: 'sessions' });
    // A password or Okta session token profile asks for the credentials in its group on the sessions view.
    const flow = profiles.list.find((p) => p.name === profile)?.flow;
    if (flow === undefined || !asksForPassword(flow)) void signIns.start(profile);
  };

  return (
    <>
      <header className="app-header">
        <h1 className="app-name">OIDC Desk</h1>
        <nav aria-label="Views" className="app-nav">
          {NAV.map((n) => (
            <a key={n.view} href={n.href} aria-current={route.view === n.view ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <a href="#/status" className={`badge badge--keychain-${keychain?.state ?? 'unknown'}`} title={keychain?.sessionOnly === true ? 'New sessions are kept in memory only' : 'Refresh tokens are kept in the OS keychain'}>
          {keychain === undefined ? 'keychain …' : KEYCHAIN_BADGE[keychain.state]}
          {keychain?.sessionOnly === true ? ' · session-only' : ''}
        </a>
      </header>
      {problemList.length === 0 || route.view === 'status' ? null : (
        <div className="app-problems">
          {problemList.map((p, i) => (
            <ErrorNotice key={`${p.code}-${i}`} error={p} action="At start-up" />
          ))}
        </div>
      )}
      <main className="app-main" id="main">
        {route.view === 'sessions' ? <SessionsView sessions={sessions} profiles={profiles} signIns={signIns} sessionId={route.sessionId} tab={route.tab ?? 'tokens'} /> : null}
        {route.view === 'profiles' ? <ProfilesView profiles={profiles} route={route} go={go} onSignIn={onSignIn} /> : null}
        {route.view === 'guide' ? <FlowGuide go={go} /> : null}
        {route.view === 'status' ? <StatusView keychain={keychain} keychainError={keychainError} problems={problemList} /> : null}
      </main>
    </>
  );
}

/** The app, or the explanation when the page is not connected to OIDC Desk. */
export function App() {
  const desk = useDesk();
  return desk === undefined ? <NotConnected /> : <Desk />;
}
