/**
 * A `--browser-command` for machines without a person at the browser:
 * `oidc-desk login <profile> --browser-command "node --import tsx test/harness/browser-command.ts [--user bob] [--deny]"`.
 * Takes the authorization URL as its last argument, drives headless Chromium (test/harness/browser.ts)
 * through the demo provider's login (alice by default) and consent, and exits 0 once the loopback
 * redirect has been answered and loaded; exit 1 with a message otherwise. It prints nothing on stdout.
 * With `--provider glewlwyd` it walks Glewlwyd's login app instead (test/harness/glewlwyd-browser.ts) as
 * the user test/harness/glewlwyd.ts creates. A pushed authorization request (PAR) carries no redirect_uri in
 * its URL: give the profile's fixed loopback redirect with `--redirect <uri>`.
 */
import { openBrowser } from './browser.ts';
import { glewlwydSignIn } from './glewlwyd-browser.ts';
import { GLEWLWYD_USER } from './glewlwyd.ts';
import { DEMO_USERS } from '../../src-main/demo-idp/provider.ts';
import { recordSecrets, redirectSecrets } from './secrets-ledger.ts';

function fail(message: string): never {
  process.stderr.write(`browser-command: ${message}\n`);
  process.exit(1);
}

/** The redirect URI of an authorization URL, without query: what the agent waits for. */
function redirectPrefix(authorizationUrl: string): string {
  let url: URL;
  try {
    url = new URL(authorizationUrl);
  } catch {
    fail('the last argument is not a URL');
  }
  const redirect = url.searchParams.get('redirect_uri');
  if (redirect === null) fail('the authorization URL has no redirect_uri');
  return redirect;
}

async function main(argv: readonly string[]): Promise<void> {
  const authorizationUrl = argv.at(-1);
  if (authorizationUrl === undefined) fail('usage: browser-command.ts [--provider demo|glewlwyd] [--user <name>] [--deny] <authorization-url>');
  const options = argv.slice(0, -1);
  const providerIndex = options.indexOf('--provider');
  const provider = providerIndex === -1 ? 'demo' : options[providerIndex + 1];
  if (provider === 'glewlwyd') {
    if (options.includes('--deny') || options.includes('--user')) fail('--deny and --user are for the demo provider');
    recordSecrets(new URL(authorizationUrl).searchParams.get('state'), new URL(authorizationUrl).searchParams.get('nonce'));
    const redirect = await glewlwydSignIn(authorizationUrl, {
      username: GLEWLWYD_USER.username,
      password: GLEWLWYD_USER.password,
      redirectPrefix: redirectPrefix(authorizationUrl),
    });
    recordSecrets(...redirectSecrets(redirect));
    return;
  }
  if (provider !== 'demo') fail(`unknown provider ${String(provider)} (demo or glewlwyd)`);
  const userIndex = options.indexOf('--user');
  const username = userIndex === -1 ? process.env['OIDC_DESK_TEST_USER'] ?? 'alice' : options[userIndex + 1];
  const user = DEMO_USERS.find((u) => u.username === username);
  if (user === undefined) fail(`unknown demo user ${String(username)}`);
  recordSecrets(new URL(authorizationUrl).searchParams.get('state'), new URL(authorizationUrl).searchParams.get('nonce'), new URL(authorizationUrl).searchParams.get('request_uri'));
  const redirectIndex = options.indexOf('--redirect');
  const pushedRedirect = redirectIndex === -1 ? undefined : options[redirectIndex + 1];

  const browser = await openBrowser();
  try {
    const redirect = await browser.signIn(authorizationUrl, {
      username: user.username,
      password: user.password,
      redirectPrefix: pushedRedirect ?? redirectPrefix(authorizationUrl),
      consent: options.includes('--deny') ? 'deny' : 'approve',
    });
    recordSecrets(...redirectSecrets(redirect));
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
