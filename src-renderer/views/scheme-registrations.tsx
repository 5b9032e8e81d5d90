/** The profiles' redirect schemes: whether the OS hands each to the app, by which handler, and a self-test; in a browser tab, that only the desktop app registers them. */
import type { ProfileView, Result, SchemeStatusView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { redirectToRegister, usesScheme } from '../format/host.ts';
import { useDeskCall } from '../hooks/use-desk-call.ts';
import { useSchemeStatuses } from '../hooks/use-scheme-statuses.ts';

export type Props = {
  readonly profiles: readonly ProfileView[];
};

const REGISTERED_LABEL: Readonly<Record<SchemeStatusView['registered'], string>> = {
  yes: 'registered',
  no: 'not registered',
  unknown: 'unknown',
  'not-applicable': 'not applicable',
};

/** The scheme part of a profile's redirect URI, before the status names it. */
function schemeOf(profile: ProfileView): string {
  const uri = redirectToRegister(profile.redirect ?? '');
  return uri.slice(0, uri.indexOf(':'));
}

type RowProps = {
  readonly profile: ProfileView;
  readonly status: Result<SchemeStatusView> | undefined;
  readonly onTested: () => void;
};

/** One profile's scheme: its state, the handler the OS names, and the self-test with its outcome. */
function SchemeRow({ profile, status, onTested }: RowProps) {
  const test = useDeskCall('testScheme');
  const scheme = status?.ok === true && status.value.scheme !== null ? status.value.scheme : schemeOf(profile);
  const state = test.state;
  return (
    <tr data-scheme-profile={profile.name} data-registered={status?.ok === true ? status.value.registered : undefined}>
      <th scope="row" className="wrap">{profile.name}</th>
      <td className="mono small wrap">{scheme}</td>
      <td>
        {status === undefined ? <span className="muted">asking…</span> : status.ok ? (
          <>
            <span className={`badge badge--scheme-${status.value.registered}`}>{REGISTERED_LABEL[status.value.registered]}</span>{' '}
            <span className="muted small wrap">{status.value.detail}</span>
          </>
        ) : <ErrorNotice error={status.error} action="Asking about the scheme" />}
      </td>
      <td className="mono small wrap">{status?.ok === true && status.value.handler !== undefined ? status.value.handler : <span className="muted">none named</span>}</td>
      <td>
        <button
          type="button"
          className="button button--small"
          disabled={state.status === 'pending'}
          aria-label={`Test ${scheme} for ${profile.name}`}
          onClick={() => void test.run({ profile: profile.name }).then(onTested)}
        >
          {state.status === 'pending' ? 'Testing…' : 'Test'}
        </button>
        <div aria-live="polite" className="scheme-test-outcome">
          {state.status !== 'done' ? null : state.result.ok ? (
            <p className="small" data-test-outcome="arrived">
              {state.result.value.arrived ? `Arrived: the operating system handed the test link back after ${state.result.value.waitedMs} ms.` : 'Did not arrive.'}
            </p>
          ) : <ErrorNotice error={state.result.error} action="Testing the scheme" onDismiss={test.reset} />}
        </div>
      </td>
    </tr>
  );
}

/** The section under the profile list, for the profiles that redirect to a URI scheme (none: nothing). */
export function SchemeRegistrations({ profiles }: Props) {
  // Loopback profiles and those whose flow uses no redirect have no scheme to register.
  const withScheme = profiles.filter((p) => usesScheme(p));
  const names = withScheme.map((p) => p.name);
  const statuses = useSchemeStatuses(names, withScheme.map((p) => `${p.name} ${p.redirect}`).join('\n'));
  if (withScheme.length === 0) return null;
  const hostless = [...statuses.byProfile.values()].some((r) => !r.ok && r.error.code === 'SCHEME_HOST_UNAVAILABLE');
  return (
    <section className="stack scheme-registrations" aria-labelledby="scheme-registrations-title">
      <h3 id="scheme-registrations-title">URI schemes</h3>
      {hostless ? (
        <p className="note" data-scheme-host="unavailable">
          Scheme registration is done by the desktop app: it registers each profile’s scheme with the operating system,
          shows whether it is registered and can test it. A browser tab cannot.
        </p>
      ) : (
        <table className="table schemes">
          <caption className="visually-hidden">Redirect schemes of the profiles</caption>
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Scheme</th>
              <th scope="col">Registered</th>
              <th scope="col">Handler</th>
              <th scope="col">Self-test</th>
            </tr>
          </thead>
          <tbody>
            {withScheme.map((p) => <SchemeRow key={p.name} profile={p} status={statuses.byProfile.get(p.name)} onTested={statuses.reload} />)}
          </tbody>
        </table>
      )}
    </section>
  );
}
