/**
 * The built command as it is installed: bin/oidc-desk.cjs runs dist/cli/main.cjs (built by `npm run build`,
 * which test/run.mjs and npm's `prepare` run) from the code cache the build wrote beside it, and from the
 * source when that cache is missing, stale or refused; says how to build when dist/ is missing, ships in the
 * npm package with what it needs, and carries none of the demo provider's test-only parts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { BIN, Cli, ROOT, endCliRuns } from '../harness/cli-runner.ts';

const DIST = join(ROOT, 'dist', 'cli');

after(() => endCliRuns());

async function builtFiles(): Promise<string[]> {
  return (await readdir(DIST)).sort();
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
  await copyFile(BIN, join(pkg, 'bin', 'oidc-desk.cjs'));
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'oidc-desk.cjs'), 'sessions'], { encoding: 'utf8', cwd: pkg, timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0] ?? '', /npm run build/);
});

test('on a Node older than 20.19 the bin says in one line what it needs, and exits 1', async () => {
  // A Node that reports itself as 20.11.1 (the built CLI loads ES module packages with require(), from 20.19).
  const older = join(await mkdtemp(join(tmpdir(), 'oidc-desk-older-node-')), 'older-node.mjs');
  await writeFile(older, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.11.1' } });\n");
  const r = spawnSync(process.execPath, ['--import', older, BIN, '--version'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'oidc-desk needs Node.js 20.19 or later; this is Node.js 20.11.1.\n');
});

test('dist/cli/ is built from the current sources (test/run.mjs builds before the tests)', async () => {
  const built = (await stat(join(DIST, 'main.cjs'))).mtimeMs;
  const newer = [];
  for (const file of await sourceFiles(join(ROOT, 'src-main'))) if ((await stat(file)).mtimeMs > built) newer.push(file);
  assert.deepEqual(newer, [], 'run "npm run build" (or the tests through test/run.mjs)');
});

/** What bin/code-cache.cjs makes of a built file and its cache, asked of a plain `node` (no loader, no flags). */
function cacheVerdict(file: string): string {
  const script = `process.stdout.write(require(${JSON.stringify(join(ROOT, 'bin', 'code-cache.cjs'))}).compileBuilt(process.argv[1], process.argv[1] + '.cache').cache)`;
  const r = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the build wrote a code cache that V8 accepts for dist/cli/main.cjs', async () => {
  assert.deepEqual(await builtFiles(), ['main.cjs', 'main.cjs.cache']);
  assert.equal(cacheVerdict(join(DIST, 'main.cjs')), 'accepted');
});

test('a code cache for another file, a damaged one or none: the CLI compiles from the source and runs as before', async () => {
  // A package of its own: the bin, the built file and package.json (for --version); sessions needs no npm package.
  const pkg = await mkdtemp(join(tmpdir(), 'oidc-desk-code-cache-'));
  await mkdir(join(pkg, 'bin'));
  await mkdir(join(pkg, 'dist', 'cli'), { recursive: true });
  for (const f of ['oidc-desk.cjs', 'code-cache.cjs']) await copyFile(join(ROOT, 'bin', f), join(pkg, 'bin', f));
  await copyFile(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  const main = join(pkg, 'dist', 'cli', 'main.cjs');
  const cacheFile = `${main}.cache`;
  await copyFile(join(DIST, 'main.cjs'), main);
  const original = await readFile(join(DIST, 'main.cjs.cache'));
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-code-cache-data-'));
  const runs = (): void => {
    const version = spawnSync(process.execPath, [join(pkg, 'bin', 'oidc-desk.cjs'), '--version'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^oidc-desk \d+\.\d+\.\d+/);
    const list = spawnSync(process.execPath, [join(pkg, 'bin', 'oidc-desk.cjs'), '--data-dir', dataDir, 'sessions', '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
  };

  // The cache written for dist/cli/main.cjs names that file's modification time: this copy has another.
  await utimes(main, new Date(), new Date(Date.now() - 3_600_000));
  await writeFile(cacheFile, original);
  assert.equal(cacheVerdict(main), 'stale');
  runs();
  // The right header, then bytes that are not V8's: V8 refuses them.
  const header = original.subarray(0, original.indexOf(0x0a) + 1).toString('latin1');
  const { size, mtimeMs } = await stat(main);
  const stamp = header.replace(/ \d+ \d+\n$/, ` ${size} ${Math.trunc(mtimeMs)}\n`);
  await writeFile(cacheFile, Buffer.concat([Buffer.from(stamp, 'latin1'), Buffer.alloc(4096, 0x5a)]));
  assert.equal(cacheVerdict(main), 'rejected');
  runs();
  // Only the header, nothing after it.
  await writeFile(cacheFile, stamp, 'latin1');
  assert.equal(cacheVerdict(main), 'stale');
  runs();
  // No cache at all.
  await writeFile(cacheFile, '');
  assert.equal(cacheVerdict(main), 'stale');
  await rm(cacheFile);
  assert.equal(cacheVerdict(main), 'absent');
  runs();
});

test('npm pack ships the bin and every built file, and neither tests nor sources', async () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  const files = (pack?.files ?? []).map((f) => f.path);
  for (const f of ['package.json', 'bin/oidc-desk.cjs', 'bin/code-cache.cjs', ...(await builtFiles()).map((b) => `dist/cli/${b}`)]) assert.ok(files.includes(f), `${f} is in the package`);
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
