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
