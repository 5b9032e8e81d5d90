/**
 * The stand-in system opener of the tests (test/harness/stand-in-opener.ts): a record read where the opener
 * left no pid (it never ran, or its record is incomplete) must not make `stop()` signal process 0, which
 * is the caller's whole process group (the test runner and everything it started).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPENER = fileURLToPath(new URL('../harness/stand-in-opener.ts', import.meta.url));

/** In a child of its own process group: a record with argv but no pid, then stop(), then a word on stdout. */
const CHILD = `
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { StandInOpener } = await import(${JSON.stringify(OPENER)});
const opener = await StandInOpener.install();
const log = await mkdtemp(join(tmpdir(), 'oidc-desk-opener-log-'));
await writeFile(join(log, 'argv'), 'file:///nowhere\\0');
await opener.record(log);
opener.stop();
process.stdout.write('alive');
await rm(log, { recursive: true, force: true });
await rm(opener.binDir, { recursive: true, force: true });
`;

test('stop() after a record without a pid signals nothing: the caller\'s process group lives on', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  assert.equal(signal, null, `the child was not killed by a signal (${signal ?? ''}):\n${stderr}`);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'alive');
});
