/** The demo provider's files in `<dataDir>/demo-idp/` go through the data directory's checks (no symbolic links, nothing written through one). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAdapterStore } from '../../../src-main/demo-idp/file-adapter.ts';
import {
  demoPaths, ensureDemoProvider, loadOrCreateDemoJwks, readDemoState,
} from '../../../src-main/demo-idp/persistent.ts';
import { generateDemoJwks } from '../../../src-main/demo-idp/provider.ts';

const POSIX = process.platform !== 'win32';
async function demoDir(): Promise<{ dataDir: string; paths: ReturnType<typeof demoPaths>; elsewhere: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-files-'));
  const paths = demoPaths(dataDir);
  await mkdir(paths.dir, { mode: 0o700 });
  return { dataDir, paths, elsewhere: await mkdtemp(join(tmpdir(), 'oidc-desk-elsewhere-')) };
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
