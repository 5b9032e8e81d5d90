/** The first run: one button signs in to the embedded demo provider, started on demand. */
import type { SignIns } from '../hooks/use-sign-ins.ts';

export type Props = {
  readonly signIns: SignIns;
  /** Starts the first run (the demo provider, its profile, the sign-in). */
  readonly onStart: () => void;
};

/** The welcome panel shown while there is no session. */
export function FirstRun({ signIns, onStart }: Props) {
  const busy = signIns.starting !== undefined;
  const waitingDemo = signIns.waiting.some((w) => w.profile === 'demo');
  return (
    <section className="panel first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Try it in a minute</h2>
      <p>
        OIDC Desk has a small OpenID provider of its own on this computer. Sign in to it to see tokens, their
        verification and refresh, with no account anywhere. Use <strong>alice</strong> / <code>alice-password</code> on its
        sign-in page.
      </p>
      <button type="button" className="button button--primary" onClick={onStart} disabled={busy || waitingDemo}>
        {busy ? 'Starting the demo provider…' : 'Sign in to the demo provider'}
      </button>
      <p className="muted">
        Or add your own provider under <a href="#/profiles/new">Profiles</a>, or let the <a href="#/guide">flow guide</a> suggest a setup.
      </p>
    </section>
  );
}
