/**
 * The demo provider's files in `<dataDir>/demo-idp/` go through the data directory's checks (no symbolic
 * links, nothing written through one), and once an issuer is recorded it keeps it: the recorded port or a
 * clear failure, never another port (a demo session's refresh token must reach only its own issuer).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeskError } from '../../../src-main/core/errors.ts';
import { FileAdapterStore } from '../../../src-main/demo-idp/file-adapter.ts';
import {
  demoPaths, ensureDemoProvider, loadOrCreateDemoJwks, readDemoState, startPersistentDemoProvider,
} from '../../../src-main/demo-idp/persistent.ts';
import { generateDemoJwks } from '../../../src-main/demo-idp/provider.ts';

const POSIX = process.platform !== 'win32';
const servers: Server[] = [];

after(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

async function demoDir(): Promise<{ dataDir: string; paths: ReturnType<typeof demoPaths>; elsewhere: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-files-'));
  const paths = demoPaths(dataDir);
  await mkdir(paths.dir, { mode: 0o700 });
  return { dataDir, paths, elsewhere: await mkdtemp(join(tmpdir(), 'oidc-desk-elsewhere-')) };
}

/** A program that holds a 127.0.0.1 port and counts what it receives. */
async function portHolder(): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, requests };
}

test('jwks.json as a symbolic link (even to a valid key set) is refused, not read', { skip: !POSIX }, async () => {
  const { dataDir, paths, elsewhere } = await demoDir();
  const planted = JSON.stringify(await generateDemoJwks());
  await writeFile(join(elsewhere, 'keys.json'), planted);
  await symlink(join(elsewhere, 'keys.json'), paths.jwks);
  await assert.rejects(loadOrCreateDemoJwks(dataDir), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(join(elsewhere, 'keys.json'), 'utf8'), planted);
});

test('state.json as a symbolic link is refused, not read', { skip: !POSIX }, async () => {
  const { dataDir, paths, elsewhere } = await demoDir();
  await writeFile(join(elsewhere, 'state.json'), JSON.stringify({ schemaVersion: 1, issuer: 'http://127.0.0.1:1234', port: 1234, pid: null, startedAt: 1 }));
  await symlink(join(elsewhere, 'state.json'), paths.state);
  await assert.rejects(readDemoState(dataDir), { code: 'DATA_DIR_INSECURE' });
});

test('store.json as a symbolic link is refused, not read and not replaced', { skip: !POSIX }, async () => {
  const { paths, elsewhere } = await demoDir();
  await writeFile(join(elsewhere, 'store.json'), 'garbage');
  await symlink(join(elsewhere, 'store.json'), paths.store);
  const store = new FileAdapterStore(paths.store);
  await assert.rejects(store.factory()('Grant').find('g1'), { code: 'DATA_DIR_INSECURE' });
  await assert.rejects(store.factory()('Grant').upsert('g1', { jti: 'g1' }, 60), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(join(elsewhere, 'store.json'), 'utf8'), 'garbage');
  assert.deepEqual((await readdir(paths.dir)).filter((f) => f.startsWith('store.json.corrupt-')), [], 'the link is not moved aside as if it were a damaged store');
});

test('provider.log as a symbolic link: the background provider is not started and nothing is appended through it', { skip: !POSIX }, async () => {
  const { dataDir, paths, elsewhere } = await demoDir();
  await writeFile(join(elsewhere, 'target.log'), 'before\n');
  await symlink(join(elsewhere, 'target.log'), paths.log);
  const command = { file: process.execPath, args: ['-e', 'console.log("written through the link"); process.exit(1)', '--'] };
  await assert.rejects(ensureDemoProvider({ dataDir, command, timeoutMs: 10_000 }), { code: 'DATA_DIR_INSECURE' });
  assert.equal(await readFile(join(elsewhere, 'target.log'), 'utf8'), 'before\n');
});

test('the recorded port taken by another program: the provider does not start elsewhere, the issuer stays recorded', async () => {
  const { dataDir, paths } = await demoDir();
  const holder = await portHolder();
  const issuer = `http://127.0.0.1:${holder.port}`;
  await writeFile(paths.state, JSON.stringify({ schemaVersion: 1, issuer, port: holder.port, pid: null, startedAt: 1 }), { mode: 0o600 });
  const outcome = await startPersistentDemoProvider({ dataDir, env: { OIDC_DESK_DEMO_IDP_PORT: '0' } }).then((provider) => ({ provider }), (error: unknown) => ({ error }));
  if ('provider' in outcome) {
    await outcome.provider.close();
    assert.fail(`it must not start on another port (it started at ${outcome.provider.issuer})`);
  }
  const error = outcome.error;
  assert.ok(isDeskError(error, 'DEMO_PORT_TAKEN'), String(error));
  assert.match(error.message, new RegExp(`${holder.port}`), 'names the port');
  assert.match(error.message, /another program/);
  assert.match(error.message, /--port/, 'says how to move the demo provider');
  assert.match(error.message, /sign-in/, 'says that the old demo sessions then need a new sign-in');
  assert.equal((await readDemoState(dataDir))?.issuer, issuer, 'the recorded issuer is unchanged');

  // The background start refuses before it starts anything.
  const command = { file: process.execPath, args: ['-e', 'process.exit(3)', '--'] };
  await assert.rejects(ensureDemoProvider({ dataDir, command, timeoutMs: 10_000 }), { code: 'DEMO_PORT_TAKEN' });
  assert.equal((await readDemoState(dataDir))?.issuer, issuer);
});

test('an explicit --port moves the demo provider to a new issuer, which is then recorded', async () => {
  const { dataDir, paths } = await demoDir();
  const holder = await portHolder();
  await writeFile(paths.state, JSON.stringify({ schemaVersion: 1, issuer: `http://127.0.0.1:${holder.port}`, port: holder.port, pid: null, startedAt: 1 }), { mode: 0o600 });
  const provider = await startPersistentDemoProvider({ dataDir, port: 0 });
  try {
    assert.notEqual(provider.port, holder.port);
    assert.equal((await readDemoState(dataDir))?.issuer, provider.issuer);
  } finally {
    await provider.close();
  }
  assert.deepEqual(holder.requests, []);
});
