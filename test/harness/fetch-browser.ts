/**
 * A `--browser-command` for providers that approve at once (test/harness/hostile-idp.ts `autoApprove`):
 * follows the authorization URL, its last argument, with plain HTTP redirects to the loopback redirect,
 * and exits 0 when the redirect page answered 200. It prints nothing.
 */
const url = process.argv.at(-1);
if (url === undefined) process.exit(2);
fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
