/**
 * What the built `oidc-desk` loads to start a command (each module recorded by test/harness/module-trace.mjs):
 * only the built JavaScript (no TypeScript, no loader), and no heavy module a command does not use: `--version`
 * no npm package at all, `sessions` neither jose, oidc-provider, keytar nor playwright-core, `token` from the
 * token cache keytar (the keychain holds the cache key) but neither jose nor oidc-provider; `sessions` not
 * Node's own fetch implementation either (undici, loaded by the first touch of `fetch` or `Response`). Which of our
 * sources a built file holds is read from the comment esbuild writes above each module (`// src-main/...`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cli, KEYRING, NO_KEYRING, ROOT, endCliRuns, type CliRun } from '../harness/cli-runner.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';
import { dataDirWithSessions } from '../harness/session-fixtures.ts';

const TRACE_HOOK = join(ROOT, 'test', 'harness', 'module-trace.mjs');
const ROOT_URL = pathToFileURL(ROOT).href;

let idp: TestIdp | undefined;
before(async () => {
  if (KEYRING) idp = await startTestIdp();
});
after(async () => {
  await idp?.stop();
  endCliRuns();
});

/**
 * Runs the CLI with the module trace; returns the run, the loaded modules as paths from the package root,
 * and the heavy parts of Node itself that were loaded (`undici`: its fetch).
 */
async function traced(cli: Cli, args: readonly string[], raw = false): Promise<{ run: CliRun; modules: string[]; internals: string[] }> {
  const trace = join(await mkdtemp(join(tmpdir(), 'oidc-desk-trace-')), 'modules.txt');
  const env = { OIDC_DESK_MODULE_TRACE: trace, NODE_OPTIONS: `--import=${pathToFileURL(TRACE_HOOK).href}` };
  const run = await cli.start(args, env, raw).done;
  const text = await readFile(trace, 'utf8').catch(() => '');
  const lines = [...new Set(text.split('\n').filter((l) => l.length > 0))];
  const internals = lines.filter((l) => l.startsWith('internal:')).map((l) => l.slice('internal:'.length));
  const modules = lines.filter((l) => !l.startsWith('internal:'))
    .map((url) => (url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length) : url))
    .filter((path) => path !== 'test/harness/module-trace.mjs');
  return { run, modules, internals };
}

/** The npm packages among loaded modules (`node_modules/<name>` or `node_modules/@scope/<name>`). */
function packages(modules: readonly string[]): string[] {
  const names = modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

/** The source modules bundled into the loaded files of dist/cli/, from esbuild's `// <path>` comment above each. */
async function bundledSources(modules: readonly string[]): Promise<string[]> {
  const sources = new Set<string>();
  for (const file of modules.filter((m) => m.startsWith('dist/cli/'))) {
    for (const line of (await readFile(join(ROOT, file), 'utf8')).split('\n')) {
      const path = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)?.[1];
      if (path !== undefined) sources.add(path.replace(/^(\.\.\/)+(?:main\/)?/, ''));
    }
  }
  return [...sources].sort();
}

function assertBuiltOnly(modules: readonly string[]): void {
  assert.ok(modules.includes('bin/oidc-desk.mjs') && modules.includes('dist/cli/main.js'), `the bin runs the built CLI: ${modules.join(', ')}`);
  const ours = modules.filter((m) => !m.includes('node_modules/'));
  assert.deepEqual(ours.filter((m) => m !== 'bin/oidc-desk.mjs' && !/^dist\/cli\/[^/]+\.js$/.test(m)), [], 'nothing of ours but the bin and dist/cli/*.js');
  assert.deepEqual(modules.filter((m) => /\.[cm]?tsx?$/.test(m)), [], 'no TypeScript source');
  assert.ok(!packages(modules).includes('tsx'), 'no TypeScript loader');
}

test('--version loads the bin and the built CLI, and no npm package', async () => {
  const cli = await Cli.create();
  const { run, modules } = await traced(cli, ['--version']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^oidc-desk \d+\.\d+\.\d+\S*\n$/);
  assertBuiltOnly(modules);
  assert.deepEqual(packages(modules), []);
  const sources = await bundledSources(modules);
  assert.ok(sources.includes('src-main/cli/args.ts'), `the comments name the sources: ${sources.join(', ')}`);
  // The core's protocol, session and storage code loads with the first command that uses it.
  assert.deepEqual(sources.filter((s) => /^src-main\/core\/(oauth|session|store|http|api)\/|node_modules\//.test(s)), [], 'no protocol, session, storage or npm code');
});

test('sessions (20 in the index) loads neither jose, oidc-provider, keytar, playwright-core nor Node\'s fetch', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(20);
  const { run, modules, internals } = await traced(cli, ['--data-dir', dataDir, 'sessions', '--json'], true);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as unknown[]).length, 20, 'all 20 sessions listed');
  assertBuiltOnly(modules);
  for (const heavy of ['jose', 'oidc-provider', 'keytar', 'playwright-core']) assert.ok(!packages(modules).includes(heavy), `${heavy} is not loaded: ${packages(modules).join(', ')}`);
  // Touching fetch, Response or Headers loads it (tens of milliseconds, about 10 MB); listing sends no request.
  assert.deepEqual(internals, [], 'Node\'s fetch implementation (undici) is not loaded');
});

test('token from the token cache loads keytar but neither jose, oidc-provider, playwright-core nor Node\'s fetch', { skip: KEYRING ? false : NO_KEYRING, timeout: 240_000 }, async () => {
  assert.ok(idp);
  const cli = await Cli.create();
  const add = await cli.run(['profile', 'add', 'local', '--issuer', idp.issuer, '--client-id', 'oidc-desk', '--allow-http-loopback', '--param', 'prompt=consent']);
  assert.equal(add.code, 0, add.stderr);
  const id = await cli.login('local');
  await idp.resetCounts();
  const { run, modules, internals } = await traced(cli, ['token', id]);
  recordSecrets(run.stdout.trim());
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await idp.counts(), {}, 'answered from the token cache: no request at the provider');
  assertBuiltOnly(modules);
  const loaded = packages(modules);
  assert.ok(loaded.includes('keytar'), 'the keychain was read');
  for (const heavy of ['jose', 'oidc-provider', 'playwright-core']) assert.ok(!loaded.includes(heavy), `${heavy} is not loaded: ${loaded.join(', ')}`);
  assert.deepEqual(internals, [], 'Node\'s fetch implementation (undici) is not loaded: no request was sent');
});

test('on a Node without process.getBuiltinModule (before 20.16) the bin supplies it: sessions and --version still run', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(3);
  const older = join(await mkdtemp(join(tmpdir(), 'oidc-desk-older-node-')), 'older-node.mjs');
  await writeFile(older, 'delete process.getBuiltinModule;\nif (process.getBuiltinModule !== undefined) throw new Error("process.getBuiltinModule is still there");\n');
  const env = { NODE_OPTIONS: `--import=${pathToFileURL(older).href}` };
  const listed = await cli.start(['--data-dir', dataDir, 'sessions', '--json'], env, true).done;
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 3);
  const version = await cli.start(['--version'], env).done;
  assert.equal(version.code, 0, version.stderr);
});
