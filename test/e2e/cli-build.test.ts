/**
 * The built command as it is installed: bin/oidc-desk.mjs runs dist/cli/ (built by `npm run build`, which
 * test/run.mjs and npm's `prepare` run), says how to build when dist/ is missing, ships in the npm package
 * with what it needs, and carries none of the demo provider's test-only parts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { BIN, Cli, ROOT, endCliRuns } from '../harness/cli-runner.ts';

const DIST = join(ROOT, 'dist', 'cli');

after(() => endCliRuns());

async function builtFiles(): Promise<string[]> {
  return (await readdir(DIST)).filter((f) => f.endsWith('.js')).sort();
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('without dist/cli/ the bin says in one line how to build, and exits 1', async () => {
  const pkg = await mkdtemp(join(tmpdir(), 'oidc-desk-unbuilt-'));
  await mkdir(join(pkg, 'bin'));
  await copyFile(BIN, join(pkg, 'bin', 'oidc-desk.mjs'));
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'oidc-desk.mjs'), 'sessions'], { encoding: 'utf8', cwd: pkg, timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0] ?? '', /npm run build/);
});

test('dist/cli/ is built from the current sources (test/run.mjs builds before the tests)', async () => {
  const built = (await stat(join(DIST, 'main.js'))).mtimeMs;
  const newer = [];
  for (const file of await sourceFiles(join(ROOT, 'src-main'))) if ((await stat(file)).mtimeMs > built) newer.push(file);
  assert.deepEqual(newer, [], 'run "npm run build" (or the tests through test/run.mjs)');
});

test('npm pack ships the bin and every built file, and neither tests nor sources', async () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  const files = (pack?.files ?? []).map((f) => f.path);
  for (const f of ['package.json', 'bin/oidc-desk.mjs', ...(await builtFiles()).map((b) => `dist/cli/${b}`)]) assert.ok(files.includes(f), `${f} is in the package`);
  assert.deepEqual(files.filter((f) => /^(test|bench|src-main|scripts)\//.test(f)), [], 'no tests, benches or sources');
});

test('the built CLI has no test-only part of the demo provider; the shipped demo provider has no admin route', async () => {
  for (const file of await builtFiles()) {
    const text = await readFile(join(DIST, file), 'utf8');
    for (const needle of ['__admin', 'OIDC_DESK_IDP_TEST_ADMIN', 'resetCounts']) assert.ok(!text.includes(needle), `${file} contains ${needle}`);
  }
  const cli = await Cli.create();
  const fg = cli.start(['demo-idp', '--port', '0'], { OIDC_DESK_IDP_TEST_ADMIN: '1' });
  try {
    await fg.stderrMatching(/Ctrl-C stops it/);
    const state = await readDemoState(cli.dataDir);
    assert.ok(state);
    const metadata = await fetch(`${state.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(metadata.status, 200, 'the demo provider answers');
    for (const [method, path] of [['GET', '/__admin/counts'], ['POST', '/__admin/counts/reset']] as const) {
      const res: Response = await fetch(`${state.issuer}${path}`, { method, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      assert.equal(res.status, 404, `${method} ${path}`);
    }
  } finally {
    await stopDemoProvider({ dataDir: cli.dataDir });
    await fg.done;
  }
});
