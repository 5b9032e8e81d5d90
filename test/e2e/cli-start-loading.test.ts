/**
 * What the built `oidc-desk` loads to start a command (each module recorded by test/harness/module-trace.mjs):
 * only the bin and the built CLI (no TypeScript, no loader), the CLI compiled from the code cache the build
 * wrote (V8 accepted it), and no heavy module a command does not use: `--version` no npm package at all,
 * `sessions` neither jose, oidc-provider, keytar nor playwright-core, `token` from the token cache keytar (the
 * keychain holds the cache key) but neither jose nor oidc-provider; `sessions` not Node's own fetch
 * implementation either (undici, loaded by the first touch of `fetch` or `Response`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
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
async function traced(cli: Cli, args: readonly string[], raw = false): Promise<{ run: CliRun; modules: string[]; internals: string[]; codeCache: string[] }> {
  const trace = join(await mkdtemp(join(tmpdir(), 'oidc-desk-trace-')), 'modules.txt');
  const env = { OIDC_DESK_MODULE_TRACE: trace, NODE_OPTIONS: `--import=${pathToFileURL(TRACE_HOOK).href}` };
  const run = await cli.start(args, env, raw).done;
  const text = await readFile(trace, 'utf8').catch(() => '');
  const lines = [...new Set(text.split('\n').filter((l) => l.length > 0))];
  const fromRoot = (url: string): string => (url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length) : url);
  const internals = lines.filter((l) => l.startsWith('internal:')).map((l) => l.slice('internal:'.length));
  const codeCache = lines.filter((l) => l.startsWith('code-cache:')).map((l) => fromRoot(l.slice('code-cache:'.length)));
  const modules = [...new Set(lines.filter((l) => !/^(internal|code-cache):/.test(l)).map(fromRoot))]
    .filter((path) => path !== 'test/harness/module-trace.mjs');
  return { run, modules, internals, codeCache };
}

/** The npm packages among loaded modules (`node_modules/<name>` or `node_modules/@scope/<name>`). */
function packages(modules: readonly string[]): string[] {
  const names = modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

const OURS = ['bin/code-cache.cjs', 'bin/oidc-desk.cjs', 'dist/cli/main.cjs'];

/** Ours are the bin and the one built file, compiled from the code cache; no TypeScript, no loader. */
function assertBuiltOnly(modules: readonly string[], codeCache: readonly string[]): void {
  assert.deepEqual(modules.filter((m) => !m.includes('node_modules/')).sort(), OURS, 'the bin runs the built CLI, and nothing else of ours');
  assert.deepEqual(codeCache, ['dist/cli/main.cjs accepted'], 'compiled once, from the code cache the build wrote');
  assert.deepEqual(modules.filter((m) => /\.[cm]?tsx?$/.test(m)), [], 'no TypeScript source');
  assert.ok(!packages(modules).includes('tsx'), 'no TypeScript loader');
}

test('--version loads the bin and the built CLI, and no npm package', async () => {
  const cli = await Cli.create();
  const { run, modules, codeCache } = await traced(cli, ['--version']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^oidc-desk \d+\.\d+\.\d+\S*\n$/);
  assertBuiltOnly(modules, codeCache);
  assert.deepEqual(packages(modules), []);
});

test('sessions (20 in the index) loads neither jose, oidc-provider, keytar, playwright-core nor Node\'s fetch', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(20);
  const { run, modules, internals, codeCache } = await traced(cli, ['--data-dir', dataDir, 'sessions', '--json'], true);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as unknown[]).length, 20, 'all 20 sessions listed');
  assertBuiltOnly(modules, codeCache);
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
  const { run, modules, internals, codeCache } = await traced(cli, ['token', id]);
  recordSecrets(run.stdout.trim());
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await idp.counts(), {}, 'answered from the token cache: no request at the provider');
  assertBuiltOnly(modules, codeCache);
  const loaded = packages(modules);
  assert.ok(loaded.includes('keytar'), 'the keychain was read');
  for (const heavy of ['jose', 'oidc-provider', 'playwright-core']) assert.ok(!loaded.includes(heavy), `${heavy} is not loaded: ${loaded.join(', ')}`);
  assert.deepEqual(internals, [], 'Node\'s fetch implementation (undici) is not loaded: no request was sent');
});
