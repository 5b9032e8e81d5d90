/** Integration: KeytarSecretStore against the real gnome-keyring over the Secret Service (no fakes). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { isDeskError } from '../../src-main/core/errors.ts';
import { KeytarSecretStore, PROBE_ACCOUNT } from '../../src-main/core/store/keytar-secret-store.ts';
import type { StoredSecret } from '../../src-main/core/store/secret-store.ts';

const skip =
  process.env.OIDC_DESK_TEST_KEYRING === '1' ? false : 'no Secret Service: run through npm test (dbus-run-session + gnome-keyring)';
/** keytar itself, to write and inspect raw entries; loaded only when the keyring tests run. */
const keytar = skip === false ? (await import('keytar')).default : undefined;
function rawKeytar(): NonNullable<typeof keytar> {
  assert.ok(keytar, 'keytar is loaded when the keyring tests run');
  return keytar;
}
const root = fileURLToPath(new URL('../../', import.meta.url));
const storeModule = pathToFileURL(join(root, 'src-main/core/store/keytar-secret-store.ts')).href;

const services: string[] = [];
/** A service name of its own for each test, removed (with every account the test used) at the end. */
function freshService(): string {
  const service = `OIDC Desk test ${randomUUID()}`;
  services.push(service);
  return service;
}
const accounts = ['s1', 's2', PROBE_ACCOUNT];
after(async () => {
  if (skip !== false) return;
  for (const service of services) for (const account of accounts) await rawKeytar().deletePassword(service, account).catch(() => false);
});

function secret(refreshToken: string): StoredSecret {
  return { v: 1, refreshToken, issuer: 'http://127.0.0.1:4000', clientId: 'desk-test', createdAt: 1_700_000_000_000 };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isDeskError(err), `expected a DeskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('the test session keyring is unlocked and usable', { skip }, async () => {
  const status = await new KeytarSecretStore({ service: freshService() }).status();
  assert.deepEqual(
    status,
    { state: 'available' },
    'the keyring of this D-Bus session is not usable; if it is locked, ~/.local/share/keyrings/login.keyring ' +
      'may have been created with another password than the one test/run.mjs unlocks with',
  );
});

test('store, read, delete', { skip }, async () => {
  const store = new KeytarSecretStore({ service: freshService() });
  assert.deepEqual(await store.get('s1'), { kind: 'absent' });
  await store.set('s1', secret('rt-one'));
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-one') });
  assert.equal(await store.delete('s1'), true);
  assert.deepEqual(await store.get('s1'), { kind: 'absent' });
  assert.equal(await store.delete('s1'), false);
});

test('rotation: overwriting an entry then reading gives the new refresh token', { skip }, async () => {
  const service = freshService();
  const store = new KeytarSecretStore({ service });
  await store.set('s1', secret('rt-old'));
  await store.set('s1', secret('rt-new'));
  assert.deepEqual(await store.get('s1'), { kind: 'found', secret: secret('rt-new') });
  const raw = await rawKeytar().getPassword(service, 's1');
  assert.ok(raw !== null && !raw.includes('rt-old'), 'the old refresh token is gone from the keychain');
  assert.equal(await store.delete('s1'), true);
});

test('entries are keyed by service name and session id', { skip }, async () => {
  const a = new KeytarSecretStore({ service: freshService() });
  const b = new KeytarSecretStore({ service: freshService() });
  await a.set('s1', secret('rt-a'));
  assert.deepEqual(await b.get('s1'), { kind: 'absent' });
  assert.deepEqual(await a.get('s2'), { kind: 'absent' });
  await a.delete('s1');
});

test('an entry over 2560 bytes fails KEYCHAIN_ENTRY_TOO_LARGE and writes nothing', { skip }, async () => {
  const service = freshService();
  const store = new KeytarSecretStore({ service });
  await rejectsWith(store.set('s1', secret('x'.repeat(2600))), 'KEYCHAIN_ENTRY_TOO_LARGE');
  assert.equal(await rawKeytar().getPassword(service, 's1'), null);
  await store.set('s2', secret('rt-kept'));
  await rejectsWith(store.set('s2', secret('y'.repeat(2600))), 'KEYCHAIN_ENTRY_TOO_LARGE');
  assert.deepEqual(await store.get('s2'), { kind: 'found', secret: secret('rt-kept') });
  await store.delete('s2');
});

for (const [name, garbage] of [
  ['not JSON', 'rt-plain-text-not-json'],
  ['JSON of the wrong shape', JSON.stringify({ v: 1, refreshToken: 'rt-shape', issuer: 'http://127.0.0.1:4000' })],
  ['a JSON string', JSON.stringify('rt-string')],
] as const) {
  test(`a corrupt entry (${name}) is reported KEYCHAIN_ENTRY_CORRUPT and removed`, { skip }, async () => {
    const service = freshService();
    await rawKeytar().setPassword(service, 's1', garbage);
    const store = new KeytarSecretStore({ service });
    await assert.rejects(store.get('s1'), (err: unknown) => {
      assert.ok(isDeskError(err, 'KEYCHAIN_ENTRY_CORRUPT'), String(err));
      assert.ok(!err.message.includes(garbage), 'the message does not echo the entry');
      return true;
    });
    assert.equal(await rawKeytar().getPassword(service, 's1'), null, 'the corrupt entry is gone');
    assert.deepEqual(await store.get('s1'), { kind: 'absent' });
  });
}

// ---- child processes: other D-Bus environments than this test session's --------------------------------------

/** Runs store calls in a child node; prints one `RESULT` line with each call's outcome. */
const CHILD = `
const [moduleUrl, options, calls] = process.argv.slice(1);
const { KeytarSecretStore } = await import(moduleUrl);
const store = new KeytarSecretStore(JSON.parse(options));
const out = [];
for (const [method, ...args] of JSON.parse(calls)) {
  try { out.push({ ok: true, value: await store[method](...args) }); }
  catch (err) { out.push({ ok: false, code: err?.code, message: String(err?.message) }); }
}
process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n');
// A stuck keytar call holds a libuv pool thread and process.exit() would wait for it forever.
if (store.stuck) process.kill(process.pid, 'SIGKILL');
process.exit(0);
`;

interface Outcome {
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}
type Call = readonly [method: 'status' | 'get' | 'set' | 'delete', ...args: unknown[]];

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: root, env, timeout: 60_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      // A child that killed itself after reporting (see CHILD) is fine; our own timeout kill is not.
      const selfKilled = err !== null && err.signal === 'SIGKILL' && err.killed !== true && stdout.includes('RESULT ');
      if (err && !selfKilled) reject(new Error(`${cmd} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function results(stdout: string): Outcome[][] {
  const lines = stdout.split('\n').filter((l) => l.startsWith('RESULT '));
  return lines.map((l) => {
    const parsed: unknown = JSON.parse(l.slice('RESULT '.length));
    assert.ok(Array.isArray(parsed));
    return parsed as Outcome[];
  });
}

function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

async function inChild(env: NodeJS.ProcessEnv, options: object, calls: readonly Call[]): Promise<Outcome[]> {
  const out = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', CHILD, storeModule, JSON.stringify(options), JSON.stringify(calls)],
    env,
  );
  const [first] = results(out);
  assert.ok(first, `no RESULT line in: ${out}`);
  return first;
}

function assertUnavailable(outcomes: Outcome[], osText: string): void {
  const [status, set, get, del] = outcomes;
  assert.deepEqual(status, { ok: true, value: { state: 'unavailable', message: osText } });
  for (const o of [set, get, del]) {
    assert.equal(o?.ok, false);
    assert.equal(o?.code, 'KEYCHAIN_UNAVAILABLE', o?.message);
    assert.ok(o?.message?.includes(osText), o?.message);
    assert.ok(!o?.message?.includes('rt-child'), 'no secret in the message');
  }
}

const unavailableCalls: readonly Call[] = [['status'], ['set', 's1', secret('rt-child')], ['get', 's1'], ['delete', 's1']];

test('no session bus (socket missing): unavailable with the OS text, calls fail KEYCHAIN_UNAVAILABLE', { skip }, async () => {
  const env = childEnv({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/oidc-desk-test-bus' });
  const outcomes = await inChild(env, { service: freshService() }, unavailableCalls);
  assertUnavailable(outcomes, 'Could not connect: No such file or directory');
});

test('no session bus (address unset, no DISPLAY): unavailable with the OS text', { skip }, async () => {
  const env = childEnv({ DBUS_SESSION_BUS_ADDRESS: undefined });
  const outcomes = await inChild(env, { service: freshService() }, unavailableCalls);
  assertUnavailable(outcomes, 'Cannot autolaunch D-Bus without X11 $DISPLAY');
});

test('a bus that never answers: KEYCHAIN_TIMEOUT, not a hang, and no second stuck call', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-desk-silent-bus-'));
  const socket = join(dir, 'bus');
  const server = createServer((conn) => conn.on('data', () => undefined));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const env = childEnv({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` });
    const [status, set, get] = await inChild(env, { service: freshService(), timeoutMs: 300 }, [
      ['status'],
      ['set', 's1', secret('rt-child')],
      ['get', 's1'],
    ]);
    assert.equal(status?.ok, true);
    assert.deepEqual(status?.value, { state: 'unavailable', message: 'The OS keychain did not answer within 300 ms (probe write).' });
    assert.equal(set?.code, 'KEYCHAIN_TIMEOUT');
    assert.match(set?.message ?? '', /earlier call/, 'the stuck call blocks further calls instead of piling up');
    assert.equal(get?.code, 'KEYCHAIN_TIMEOUT');
    assert.ok(!set?.message?.includes('rt-child'), 'no secret in the message');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A locked keyring. Locking the keyring of this test session would break other test files running beside this
 * one, so this test starts its own D-Bus session and gnome-keyring (own XDG dirs, own password), locks the default
 * collection through the Secret Service API (`Service.Lock`), then unlocks it again by replacing the daemon with
 * `--replace --unlock` (the Secret Service has no prompt-less Unlock). libsecret caches the daemon's bus name, so
 * each phase runs in a fresh child node.
 */
test('a locked keyring: status locked, set fails KEYCHAIN_LOCKED, get is unknown (never absent)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-desk-locked-'));
  const service = freshService();
  const options = JSON.stringify({ service });
  const script = `
set -e
unset DISPLAY WAYLAND_DISPLAY
export XDG_DATA_HOME="$DIR/data" XDG_RUNTIME_DIR="$DIR/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
LOGIN=/org/freedesktop/secrets/collection/login
locked() {
  dbus-send --session --print-reply --dest=org.freedesktop.secrets "$LOGIN" \\
    org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked | grep -q 'boolean true'
}
# A first query may race the daemon's start and have D-Bus activate a second, locked one: unlock again.
wait_unlocked() { i=0; while locked; do i=$((i+1)); [ $i -lt 300 ] || exit 3; if [ $((i % 40)) -eq 0 ]; then printf %s keyring-pw | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null 2>&1 || true; fi; sleep 0.1; done; }
printf %s keyring-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
wait_unlocked
node --import tsx --input-type=module -e "$CHILD" "$MODULE" "$OPTIONS" "$CALLS1"
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
  org.freedesktop.Secret.Service.Lock array:objpath:"$LOGIN" >/dev/null
locked || exit 4
node --import tsx --input-type=module -e "$CHILD" "$MODULE" "$OPTIONS" "$CALLS2"
printf %s keyring-pw | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null 2>&1
wait_unlocked
node --import tsx --input-type=module -e "$CHILD" "$MODULE" "$OPTIONS" "$CALLS3"
`;
  const calls1: readonly Call[] = [['status'], ['set', 's1', secret('rt-locked')]];
  const calls2: readonly Call[] = [
    ['status'],
    ['set', 's2', secret('rt-while-locked')],
    ['get', 's1'],
    ['get', 's2'],
    ['delete', 's1'],
  ];
  const calls3: readonly Call[] = [['status'], ['get', 's1'], ['delete', 's1'], ['get', 's2']];
  try {
    const env = childEnv({
      DIR: dir,
      CHILD,
      MODULE: storeModule,
      OPTIONS: options,
      CALLS1: JSON.stringify(calls1),
      CALLS2: JSON.stringify(calls2),
      CALLS3: JSON.stringify(calls3),
    });
    const [before, whileLocked, unlocked] = results(await run('dbus-run-session', ['--', 'sh', '-c', script], env));

    assert.deepEqual(before, [
      { ok: true, value: { state: 'available' } },
      { ok: true },
    ]);

    const [status, set, getStored, getNever, del] = whileLocked ?? [];
    assert.deepEqual(status, { ok: true, value: { state: 'locked', message: 'Cannot create an item in a locked collection' } });
    assert.equal(set?.code, 'KEYCHAIN_LOCKED', set?.message);
    assert.ok(!set?.message?.includes('rt-while-locked'), 'no secret in the message');
    for (const read of [getStored, getNever]) {
      assert.equal(read?.ok, true);
      const value = read?.value as { kind: string; reason?: { code: string } };
      assert.equal(value.kind, 'unknown', 'a miss from a locked keyring is unknown, never absent');
      assert.equal(value.reason?.code, 'KEYCHAIN_LOCKED');
    }
    assert.equal(del?.code, 'KEYCHAIN_LOCKED', 'a delete that could not see the entry is not reported as done');

    assert.deepEqual(unlocked, [
      { ok: true, value: { state: 'available' } },
      { ok: true, value: { kind: 'found', secret: secret('rt-locked') } },
      { ok: true, value: true },
      { ok: true, value: { kind: 'absent' } },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
