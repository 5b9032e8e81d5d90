import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../../../src-main/core/store/file-lock.ts';

test('holders run one at a time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const path = join(dir, 'x.lock');
  let inside = 0;
  let maxInside = 0;
  await Promise.all(Array.from({ length: 5 }, () => withFileLock(path, async () => {
    inside += 1;
    maxInside = Math.max(maxInside, inside);
    await new Promise((r) => setTimeout(r, 5));
    inside -= 1;
  })));
  assert.equal(maxInside, 1);
});

test('a lock left by a dead process is broken', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const path = join(dir, 'x.lock');
  await writeFile(path, JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }));
  assert.equal(await withFileLock(path, async () => 'ran', { timeoutMs: 2000 }), 'ran');
});

test('a live holder makes a waiter give up with SESSION_BUSY', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const path = join(dir, 'x.lock');
  await writeFile(path, JSON.stringify({ pid: process.ppid, at: Date.now() }));
  await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 100 }), { code: 'SESSION_BUSY' });
});

test('6 processes taking the same lock 30 times each never hold it together', async () => {
  const { spawn } = await import('node:child_process');
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const child = new URL('../../../harness/lock-child.ts', import.meta.url).pathname;
  const outputs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, '30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`lock child exited ${code}`))));
  })));
  assert.deepEqual(outputs, Array(6).fill('0'));
});

test('a lock whose content cannot be read yet is not taken for abandoned while it is fresh', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const path = join(dir, 'x.lock');
  await writeFile(path, '');
  await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 100 }), { code: 'SESSION_BUSY' });
});
