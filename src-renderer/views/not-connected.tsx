/** Shown when the page has no `window.oidcDesk`: opened outside the desktop app and browser mode. */

/** The explanation and what to do. */
export function NotConnected() {
  return (
    <main className="app-main">
      <section className="panel">
        <h1>OIDC Desk is not connected</h1>
        <p>
          This page talks to OIDC Desk through the desktop app or through <code>oidc-desk ui</code>, which opens it with a
          one-time link. Run <code>oidc-desk ui</code> and use the link it opens or prints.
        </p>
      </section>
    </main>
  );
}
