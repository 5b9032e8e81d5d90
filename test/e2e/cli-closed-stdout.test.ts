/**
 * When the reader of stdout goes away (`oidc-desk sessions | head -1`), the CLI ends quietly with its
 * usual status: no unhandled EPIPE, no stack trace. Other write failures are not hidden: stdout on a full
 * device fails the command with one `error` line. Real pipes and a real device, the built CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { BIN, Cli, ROOT } from '../harness/cli-runner.ts';
import { dataDirWithSessions } from '../harness/session-fixtures.ts';

/** Far more table than a pipe buffers (64 KiB on Linux), so writes go on after the reader left. */
const MANY = 2000;

function assertQuiet(stderr: string): void {
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /, `no error and no stack trace:\n${stderr}`);
}

test('`sessions | head -1` through a real shell pipe: the first line arrives, the CLI exits 0 without a word on stderr', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(MANY);
  const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" "$1" --data-dir "$2" sessions | head -1', process.execPath, BIN, dataDir], {
    cwd: ROOT, env: cli.env(), encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 0, `the pipeline's status is the CLI's (pipefail):\n${r.stderr}`);
  assert.equal(r.stdout.split('\n').length, 2, 'one line came through head');
  assertQuiet(r.stderr);
  assert.equal(r.stderr, '');
});

test('the reader closes its end after one line, or before the first write: the CLI ends quietly with status 0', async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(MANY);
  for (const [args, readFirst] of [[['--data-dir', dataDir, 'sessions'], true], [['--data-dir', dataDir, 'sessions', '--json'], false], [['--version'], false]] as const) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cli.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (readFirst) {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    }
    child.stdout.destroy();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
    assert.equal(signal, null, args.join(' '));
    assert.equal(code, 0, `${args.join(' ')}:\n${stderr}`);
    assertQuiet(stderr);
  }
});

test('another write failure is not hidden: stdout on a full device fails with one error line, no stack trace', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async () => {
  const cli = await Cli.create();
  const dataDir = await dataDirWithSessions(MANY);
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, 'sessions'], { cwd: ROOT, env: cli.env(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 3, `a failed write is a failed command (INTERNAL, status 3):\n${r.stderr}`);
    assert.match(r.stderr, /^error INTERNAL: .*ENOSPC/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    closeSync(full);
  }
});
