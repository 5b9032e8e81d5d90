/**
 * A `--browser-command` for `oidc-desk login <device-profile> --open`: takes the verification URI (the one
 * with the code) as its last argument and does the person's part on the provider's device pages in headless
 * Chromium (test/harness/device-flow.ts) as alice (or `--user bob`); exits 0 once the provider says the
 * device is connected, 1 with a message otherwise. It prints nothing on stdout.
 */
import { launchChromium } from './browser.ts';
import { completeDeviceSignIn } from './device-flow.ts';
import { DEMO_USERS } from '../../src-main/demo-idp/provider.ts';

function fail(message: string): never {
  process.stderr.write(`device-browser-command: ${message}\n`);
  process.exit(1);
}

async function main(argv: readonly string[]): Promise<void> {
  const url = argv.at(-1);
  if (url === undefined || !URL.canParse(url)) fail('usage: device-browser-command.ts [--user <name>] <verification-uri>');
  const userIndex = argv.indexOf('--user');
  const username = userIndex === -1 ? 'alice' : argv[userIndex + 1];
  const user = DEMO_USERS.find((u) => u.username === username);
  if (user === undefined) fail(`unknown demo user ${String(username)}`);
  const browser = await launchChromium();
  try {
    const step = await completeDeviceSignIn(browser, url, undefined, { user });
    if (step !== 'device-success') fail(`the provider ended on "${step}"`);
  } finally {
    await browser.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
