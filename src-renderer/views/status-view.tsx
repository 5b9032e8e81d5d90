/** Status: the keychain and what it means for sessions, problems found at start-up, the demo provider, and where this page runs. */
import type { ErrorView, KeychainView } from '../../src-main/core/contract.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { ERROR_HELP } from '../format/error-help.ts';
import { inBrowserMode } from '../format/host.ts';
import { useDeskQuery } from '../hooks/use-desk-query.ts';

export type Props = {
  readonly keychain: KeychainView | undefined;
  readonly keychainError: ErrorView | undefined;
  readonly problems: readonly ErrorView[];
};

const KEYCHAIN_WORDS: Readonly<Record<KeychainView['state'], { readonly title: string; readonly text: string }>> = {
  available: { title: 'Keychain available', text: 'Refresh tokens are kept in the operating system’s keychain, one entry per session, and nowhere else.' },
  locked: { title: 'Keychain locked', text: ERROR_HELP.KEYCHAIN_LOCKED.fix },
  unavailable: { title: 'No keychain', text: ERROR_HELP.KEYCHAIN_UNAVAILABLE.fix },
};

/** The view. */
export function StatusView({ keychain, keychainError, problems }: Props) {
  const demo = useDeskQuery('demoProvider', 'demo');
  const words = keychain === undefined ? undefined : KEYCHAIN_WORDS[keychain.state];
  return (
    <div className="stack status-view">
      <h2 className="view-title">Status</h2>
      <section className="panel" aria-labelledby="keychain-title" data-keychain={keychain?.state ?? 'unknown'}>
        <h3 id="keychain-title">{words?.title ?? 'Keychain'}</h3>
        {keychainError === undefined ? null : <ErrorNotice error={keychainError} action="Keychain status" />}
        {keychain === undefined || words === undefined ? <p className="muted">Asking…</p> : (
          <>
            <p>{words.text}</p>
            {keychain.message === undefined ? null : <p className="muted wrap">{keychain.message}</p>}
            <p>
              {keychain.sessionOnly
                ? 'New sessions are session-only: kept in memory, gone when OIDC Desk stops, and not usable from the command line.'
                : 'New sessions are stored: usable after a restart and from the command line.'}
            </p>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="problems-title">
        <h3 id="problems-title">Problems found at start-up</h3>
        {problems.length === 0 ? <p>None.</p> : problems.map((p, i) => <ErrorNotice key={`${p.code}-${i}`} error={p} action="At start-up" />)}
      </section>
      <section className="panel" aria-labelledby="demo-title">
        <h3 id="demo-title">Demo provider</h3>
        {demo.result === undefined ? <p className="muted">Asking…</p> : !demo.result.ok ? <ErrorNotice error={demo.result.error} action="Demo provider" /> : (
          <p data-demo-running={demo.result.value.running}>
            {demo.result.value.running ? 'Running at ' : demo.result.value.issuer === null ? 'Never started here.' : 'Not running; last at '}
            {demo.result.value.issuer === null ? null : <span className="mono">{demo.result.value.issuer}</span>}
            {demo.result.value.running ? '.' : demo.result.value.issuer === null ? null : '. It starts again when you sign in with it.'}
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="window-title">
        <h3 id="window-title">This window</h3>
        <p>
          {inBrowserMode()
            ? 'A browser tab served by “oidc-desk ui” on this computer. Sign-ins use profiles with a loopback redirect; links to sign-in pages open in a new tab.'
            : 'The OIDC Desk desktop app.'}
        </p>
      </section>
    </div>
  );
}
