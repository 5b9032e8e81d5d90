/**
 * `oidc-desk` with a fixed loopback redirect (`--redirect http://127.0.0.1:<port>/<path>`, for providers
 * that compare the port): stored and listed exactly, signed in on exactly that port through Chromium
 * against the local oidc-provider, and refused at once, naming the port, when another program holds it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { freePort, holdPort } from '../harness/ports.ts';
import { BROWSER_COMMAND, Cli, KEYRING, NO_KEYRING, SESSION_ID, assertFailed, endCliRuns, isRecord } from '../harness/cli-runner.ts';

let idp: TestIdp;

before(async () => {
  idp = await startTestIdp();
});

after(async () => {
  await idp?.stop();
  endCliRuns();
});

async function fixedCli(redirect: string): Promise<Cli> {
  const cli = await Cli.create();
  const r = await cli.run(['profile', 'add', 'fixed', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent', '--redirect', redirect]);
  assert.equal(r.code, 0, r.stderr);
  return cli;
}

test('profile add --redirect http://127.0.0.1:<port>/<path>: stored and listed exactly; other loopback forms are refused without echo', async () => {
  const uri = 'http://127.0.0.1:8765/callback';
  const cli = await fixedCli(uri);
  const profiles = await cli.json(['profile', 'list']);
  assert.ok(Array.isArray(profiles) && isRecord(profiles[0]));
  assert.equal(profiles[0]['redirect'], uri);
  const text = await cli.run(['profile', 'list']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\tredirect=http:\/\/127\.0\.0\.1:8765\/callback\t/);

  const ipv6 = 'http://[::1]:8766/oauth2/cb';
  const r = await cli.run(['profile', 'add', 'six', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--redirect', ipv6]);
  assert.equal(r.code, 0, r.stderr);
  const six = (await cli.json(['profile', 'list']) as unknown[]).find((p) => isRecord(p) && p['name'] === 'six');
  assert.ok(isRecord(six) && six['redirect'] === ipv6);

  const marker = 'pasted-value-0123456789';
  for (const bad of [`http://localhost:8765/${marker}`, `http://127.0.0.1/${marker}`, `http://127.0.0.1:0/${marker}`, `http://127.0.0.1:8765/${marker}?x=1`, `https://127.0.0.1:8765/${marker}`]) {
    const run = await cli.run(['profile', 'add', 'bad', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--redirect', bad]);
    assertFailed(run, 2, 'REDIRECT_SCHEME_INVALID');
    assert.ok(!run.stderr.includes(marker), `the refused value is not echoed: ${run.stderr}`);
  }
  assert.equal((await cli.json(['profile', 'list']) as unknown[]).length, 2, 'nothing else was stored');
});

test('login with a fixed loopback port: the browser comes back to exactly that URI', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const uri = `http://127.0.0.1:${await freePort()}/callback`;
  const cli = await fixedCli(uri);
  const running = cli.start(['login', 'fixed', '--browser-command', BROWSER_COMMAND, '--timeout', '90']);
  const waiting = await running.stderrMatching(/redirect to (\S+?);/);
  assert.equal(waiting[1], uri);
  const r = await running.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), SESSION_ID);
  assert.equal(r.stdout, `${r.stdout.trim()}\n`, 'exactly the session id');
  await cli.storedRefreshToken(r.stdout.trim());
});

test('login with a fixed loopback port that another program holds: exit 4 at once, naming the port; no authorization URL', { skip: KEYRING ? false : NO_KEYRING, timeout: 120_000 }, async () => {
  const squatter = await holdPort();
  try {
    const cli = await fixedCli(`http://127.0.0.1:${squatter.port}/callback`);
    await idp.resetCounts();
    // --no-open would print the authorization URL once the sign-in waits; it must never get that far.
    const r = await cli.run(['login', 'fixed', '--no-open', '--timeout', '90']);
    assertFailed(r, 4, 'LOOPBACK_LISTEN_FAILED');
    assert.match(r.stderr, new RegExp(`Port ${squatter.port} on 127\\.0\\.0\\.1 is in use`));
    assert.doesNotMatch(r.stderr, /\/auth\?|state=|Waiting for the sign-in/);
    assert.equal((await idp.counts())['authorization'], undefined, 'no authorization request reached the provider');
  } finally {
    await squatter.release();
  }
});
