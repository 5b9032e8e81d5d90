import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_STALE_MS, LOCK_TIMEOUT_MS, withFileLock } from '../../../../src-main/core/store/file-lock.ts';

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
  await writeFile(path, JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }), { mode: 0o600 });
  assert.equal(await withFileLock(path, async () => 'ran', { timeoutMs: 2000 }), 'ran');
});

test('a live holder makes a waiter give up with SESSION_BUSY', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
  const path = join(dir, 'x.lock');
  await writeFile(path, JSON.stringify({ pid: process.ppid, at: Date.now() }), { mode: 0o600 });
  await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 100 }), { code: 'SESSION_BUSY' });
});

test('6 processes taking the same lock 30 times each never hold it together', async () => {
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
  await writeFile(path, '', { mode: 0o600 });
  await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 100 }), { code: 'SESSION_BUSY' });
});

// ---- locks that never block for long (SECURITY.md, "data dir": a lock is broken after its stale window) ----

const LOCK_CHILD = new URL('../../../harness/lock-child.ts', import.meta.url).pathname;

/** A lock-child process in `hold` mode, with its stdout lines. */
function holder(path: string, staleMs: number, holdMs: number, marker: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', LOCK_CHILD, 'hold', path, String(staleMs), String(holdMs), marker], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) if (out.includes(w.line)) w.resolve();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    output: () => out,
    exited,
    said: (line: string) => new Promise<void>((resolve, reject) => {
      if (out.includes(line)) return resolve();
      waiters.push({ line, resolve });
      void exited.then(() => (out.includes(line) ? resolve() : reject(new Error(`lock child ended without "${line}": ${out}`))));
    }),
  };
}

/** Another program that lives while the test runs (its pid is live and not an OIDC Desk lock holder). */
function otherProgram(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

async function lockDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oidc-desk-lock-'));
}

test('a lock naming a live pid of another program and a far-future time is broken after its stale window', async () => {
  const path = join(await lockDir(), 'x.lock');
  const other = otherProgram();
  try {
    await writeFile(path, JSON.stringify({ pid: other.pid, at: Date.now() + 10 * 365 * 24 * 3600_000 }), { mode: 0o600 });
    assert.equal(await withFileLock(path, async () => 'ran', { staleMs: 800, timeoutMs: 8000 }), 'ran');
  } finally {
    other.kill();
  }
});

test('a lock with a far-future file time and unparseable content is broken after its stale window', async () => {
  const path = join(await lockDir(), 'x.lock');
  await writeFile(path, '\u0000not a lock', { mode: 0o600 });
  const future = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  await utimes(path, future, future);
  assert.equal(await withFileLock(path, async () => 'ran', { staleMs: 800, timeoutMs: 8000 }), 'ran');
});

test('a lock naming this process that this process does not hold (its pid reused) is abandoned at once', async () => {
  const path = join(await lockDir(), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: process.pid, nonce: 'from-a-process-long-gone', at: Date.now() }), { mode: 0o600 });
  assert.equal(await withFileLock(path, async () => 'ran', { staleMs: 60_000, timeoutMs: 500 }), 'ran');
});

test('the default stale window is 30 s and waiters wait longer than it', async () => {
  assert.equal(LOCK_STALE_MS, 30_000);
  assert.ok(LOCK_TIMEOUT_MS > LOCK_STALE_MS, 'a waiter waits long enough to see a stale lock broken');
  const other = otherProgram();
  try {
    const path = join(await lockDir(), 'x.lock');
    const old = new Date(Date.now() - 31_000);
    await writeFile(path, JSON.stringify({ pid: other.pid, at: old.getTime() }), { mode: 0o600 });
    await utimes(path, old, old);
    assert.equal(await withFileLock(path, async () => 'ran', { timeoutMs: 1000 }), 'ran', 'untouched for 31 s: stale');
    const recent = new Date(Date.now() - 20_000);
    await writeFile(path, JSON.stringify({ pid: other.pid, at: recent.getTime() }), { mode: 0o600 });
    await utimes(path, recent, recent);
    await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 300 }), { code: 'SESSION_BUSY' }, 'untouched for 20 s: still held');
  } finally {
    other.kill();
  }
});

test('a hung holder (a stopped process) blocks others only for its stale window', { skip: process.platform === 'win32' }, async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const child = holder(path, 1000, 60_000, join(dir, 'marker'));
  try {
    await child.said('held');
    child.proc.kill('SIGSTOP');
    assert.equal(await withFileLock(path, async () => 'ran', { staleMs: 1000, timeoutMs: 15_000 }), 'ran');
  } finally {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
});

test('a holder that works longer than the stale window keeps its lock fresh: nobody breaks it', async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const marker = join(dir, 'marker');
  const child = holder(path, 2500, 6000, marker);
  try {
    await child.said('held');
    await withFileLock(path, async () => {
      // The holder writes the marker just before it releases: it must have finished its work.
      assert.equal(await readFile(marker, 'utf8'), String(child.proc.pid), 'the lock was not taken from a working holder');
    }, { staleMs: 2500, timeoutMs: 30_000 });
    await child.said('released lost=false');
  } finally {
    child.proc.kill('SIGKILL');
  }
});

test('a holder whose lock was broken (it hung) never removes the lock another process holds now', { skip: process.platform === 'win32' }, async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const child = holder(path, 1000, 3000, join(dir, 'marker'));
  try {
    await child.said('held');
    child.proc.kill('SIGSTOP');
    await withFileLock(path, async () => {
      child.proc.kill('SIGCONT');
      await child.said('released');
      assert.match(child.output(), /released lost=true/, 'the resumed holder learnt that its lock was broken');
      const content = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown };
      assert.equal(content.pid, process.pid, 'the lock this process holds is still there');
    }, { staleMs: 1000, timeoutMs: 15_000 });
    await assert.rejects(stat(path), { code: 'ENOENT' }, 'released by its holder');
  } finally {
    child.proc.kill('SIGKILL');
  }
});

// ---- waiters of one process (the session index, a session's refresh and sign-out in one desk) ----

test('while this process holds a lock, its other waiters leave the lock file alone and then hold it one at a time, in call order', async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const order: number[] = [];
  let inside = 0;
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered = (): void => undefined;
  const first = withFileLock(path, async () => {
    entered();
    await held;
  });
  await new Promise<void>((resolve) => (entered = resolve));
  const waiters = Array.from({ length: 5 }, (_, i) => withFileLock(path, async () => {
    inside += 1;
    assert.equal(inside, 1, 'one holder at a time');
    order.push(i);
    await new Promise((r) => setImmediate(r));
    inside -= 1;
  }));
  // More file system work than a waiter needs to create its own lock file (the thread pool serves in order).
  for (let i = 0; i < 12; i++) await stat(dir);
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, ['x.lock'], 'only the holder\'s lock file: no waiter of this process made one while it waits');
  release();
  await Promise.all([first, ...waiters]);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.deepEqual(await readdir(dir), []);
});

test('a waiter of this process behind a holder of this process still gives up at its timeout, and the waiters after it go on', async () => {
  const path = join(await lockDir(), 'x.lock');
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = withFileLock(path, () => held);
  await assert.rejects(withFileLock(path, async () => 'ran', { timeoutMs: 100 }), { code: 'SESSION_BUSY' });
  const next = withFileLock(path, async () => 'next ran');
  release();
  await first;
  assert.equal(await next, 'next ran');
});

test('a lock taken after a long wait for another process looks fresh at once (others do not break it as stale)', async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const staleMs = 1500;
  const child = holder(path, staleMs, 4000, join(dir, 'marker'));
  try {
    await child.said('held');
    await withFileLock(path, async () => {
      const age = Date.now() - (await stat(path)).mtimeMs;
      assert.ok(age < staleMs, `the lock just taken was last touched ${Math.round(age)} ms ago, past the stale window`);
    }, { staleMs, timeoutMs: 30_000 });
    await child.said('released lost=false');
  } finally {
    child.proc.kill('SIGKILL');
  }
});

// ---- the lock's own file operations (taken on every sign-in, refresh and index write) ----

test('taking and releasing a lock creates and removes only the lock file itself (no temporary name)', { skip: process.platform !== 'linux' }, async () => {
  const dir = await lockDir();
  const path = join(dir, 'x.lock');
  const seen = new Set<string>();
  const watcher = watch(dir, (_event, name) => {
    if (name !== null) seen.add(String(name));
  });
  try {
    await withFileLock(path, async () => {
      assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid, 'the lock names its holder');
    });
    // inotify events arrive after the calls that caused them: wait until the removal of the lock is seen.
    for (let i = 0; i < 200 && (await readdir(dir)).length > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    watcher.close();
  }
  assert.deepEqual([...seen], ['x.lock']);
});

test('an empty lock file (a holder between creating and writing it) is not broken while fresh, and is broken once left for the stale window', async () => {
  const path = join(await lockDir(), 'x.lock');
  await writeFile(path, '', { mode: 0o600 });
  await assert.rejects(withFileLock(path, async () => 'ran', { staleMs: 60_000, timeoutMs: 300 }), { code: 'SESSION_BUSY' });
  const old = new Date(Date.now() - 2_000);
  await utimes(path, old, old);
  assert.equal(await withFileLock(path, async () => 'ran', { staleMs: 1_000, timeoutMs: 5_000 }), 'ran');
});
