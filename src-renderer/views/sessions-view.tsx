/** The sessions view: waiting sign-ins and their outcomes, every profile with its sessions, and the detail of the chosen session. */
import { useCallback, useMemo } from 'react';
import type { ProfileView, SessionView } from '../../src-main/core/contract.ts';
import { CallResult } from '../components/call-result.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { compareNames } from '../format/order.ts';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import { useRowsInSteps } from '../hooks/use-rows-in-steps.ts';
import type { Profiles } from '../hooks/use-profiles.ts';
import type { SessionTab } from '../hooks/use-route.ts';
import type { Sessions } from '../hooks/use-sessions.ts';
import type { SignIns } from '../hooks/use-sign-ins.ts';
import { FirstRun } from './first-run.tsx';
import { ProfileGroup } from './profile-group.tsx';
import { SessionDetail } from './session-detail.tsx';
import { SignInOutcome } from './sign-in-outcome.tsx';
import { SignInPending } from './sign-in-pending.tsx';
import { SignOutOutcome } from './sign-out-outcome.tsx';

export type Props = {
  readonly sessions: Sessions;
  readonly profiles: Profiles;
  readonly signIns: SignIns;
  readonly sessionId: string | undefined;
  readonly tab: SessionTab;
};

type Group = { readonly name: string; readonly profile: ProfileView | undefined; readonly sessions: readonly SessionView[] };

/** Profiles in name order, each with its sessions; sessions of a removed profile get a group of their own. */
function groupByProfile(profiles: readonly ProfileView[], sessions: readonly SessionView[]): Group[] {
  const byName = new Map<string, { profile: ProfileView | undefined; sessions: SessionView[] }>();
  for (const profile of profiles) byName.set(profile.name, { profile, sessions: [] });
  for (const session of sessions) {
    const group = byName.get(session.profile) ?? { profile: undefined, sessions: [] };
    group.sessions.push(session);
    byName.set(session.profile, group);
  }
  return [...byName.entries()].sort(([a], [b]) => compareNames(a, b)).map(([name, g]) => ({ name, ...g }));
}

/** How many rows each group shows when `rows` rows are shown in all, filled in the groups' order. */
function rowShares(groups: readonly Group[], rows: number): number[] {
  let left = rows;
  return groups.map((g) => {
    const share = Math.min(g.sessions.length, left);
    left -= share;
    return share;
  });
}

/** The view. */
export function SessionsView({ sessions, profiles, signIns, sessionId, tab }: Props) {
  const signOut = useDeskCall('signOut');
  const runSignOut = signOut.run;
  const startSignIn = signIns.start;
  // Until the profiles are known, a session's profile would read as removed: the groups wait for them.
  const groups = useMemo(() => (profiles.loaded ? groupByProfile(profiles.list, sessions.list) : []), [profiles.loaded, profiles.list, sessions.list]);
  // A list of hundreds is rendered in two steps (the first screen, then the rest): each group gets its share.
  const rowsNow = useRowsInSteps(profiles.loaded ? sessions.list.length : 0);
  const shares = useMemo(() => rowShares(groups, rowsNow), [groups, rowsNow]);
  const onSignOut = useCallback((id: string) => {
    if (id === sessionId) window.location.hash = '#/sessions';
    void runSignOut({ sessionId: id });
  }, [runSignOut, sessionId]);
  const onSignIn = useCallback((profile: string, credentials?: { readonly username: string; readonly password: string }) => void startSignIn(profile, credentials), [startSignIn]);
  const startDemo = signIns.startDemo;
  const reloadProfiles = profiles.reload;
  // The demo profile is made (or re-pointed) before the sign-in starts: the list learns of it at once.
  const onStartDemo = useCallback(() => void startDemo().then(reloadProfiles), [startDemo, reloadProfiles]);
  const selected = sessionId === undefined ? undefined : sessions.byId.get(sessionId);
  const firstRun = sessions.loaded && sessions.list.length === 0;

  return (
    <div className="sessions-view">
      <h2 className="view-title">Sessions</h2>
      <div className="stack" aria-live="polite">
        {signIns.startError === undefined ? null : <ErrorNotice error={signIns.startError} action="Starting the sign-in" />}
        {signIns.waiting.map((flow) => (
          <SignInPending key={flow.flowId} flow={flow} onCancel={(id, reason) => void signIns.cancel(id, reason)} />
        ))}
        {signIns.outcomes.map((outcome) => (
          <SignInOutcome key={outcome.flowId} outcome={outcome} onDismiss={signIns.dismiss} />
        ))}
        <CallResult state={signOut.state} action="Sign-out" onDismiss={signOut.reset}>
          {(outcome) => <SignOutOutcome outcome={outcome} onDismiss={signOut.reset} />}
        </CallResult>
      </div>
      {sessions.error === undefined ? null : <ErrorNotice error={sessions.error} action="Listing the sessions" />}
      {profiles.error === undefined ? null : <ErrorNotice error={profiles.error} action="Listing the profiles" />}
      {firstRun ? <FirstRun signIns={signIns} onStart={onStartDemo} /> : null}
      {sessionId !== undefined && selected === undefined && sessions.loaded ? (
        <p className="note">That session is not here any more (signed out, perhaps in another window).</p>
      ) : null}
      <div className={selected === undefined ? 'sessions-layout' : 'sessions-layout sessions-layout--detail'}>
        <div className="stack sessions-groups">
          {groups.map((g, i) => (
            <ProfileGroup
              key={g.name}
              name={g.name}
              profile={g.profile}
              sessions={g.sessions}
              rowsShown={shares[i] ?? g.sessions.length}
              currentId={sessionId}
              starting={signIns.starting === g.name}
              onSignIn={onSignIn}
              onSignOut={onSignOut}
            />
          ))}
        </div>
        {selected === undefined ? null : <SessionDetail key={selected.id} session={selected} tab={tab} onSignOut={onSignOut} />}
      </div>
    </div>
  );
}
