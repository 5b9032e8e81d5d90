/**
 * The in-memory copy of the session index never goes backwards: concurrent reads and changes of
 * sessions.json in one process land in the order they reached the file. Each case holds one of them at
 * a chosen point (a real index store over a real data directory, the wait placed around its file work)
 * so that the interleaving that lost a session (a list one session short of sessions.json) happens
 * every time instead of now and then.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import type { FetchLike } from '../../src-main/core/http/client.ts';
import { ProviderDirectory } from '../../src-main/core/oauth/provider-context.ts';
import { SessionState } from '../../src-main/core/session/session-state.ts';
import { TokenCache } from '../../src-main/core/session/token-cache.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { sessionIndexStore, type SessionIndexDoc, type SessionRecord } from '../../src-main/core/store/session-index.ts';
import { VersionedStore } from '../../src-main/core/store/versioned-store.ts';

function record(id: string): SessionRecord {
  return {
    id, profile: 'p', issuer: 'https://idp.example', clientId: 'c', allowHttpLoopback: false, subject: id,
    scopes: ['openid'], createdAt: 1, updatedAt: 1, status: 'active', hasRefreshToken: false,
  };
}

const add = (r: SessionRecord) => (doc: SessionIndexDoc): SessionIndexDoc => ({ ...doc, sessions: [...doc.sessions, r] });

/**
 * The real index store of a data directory, with two holds, each taken once: `holdRead` makes the first
 * read keep what it read until the changes other callers started on the store meanwhile are written (and
 * those changes wait until that read has read the file); `holdUpdate` does the same to the first change
 * that finishes writing. What a slow disk or a busy thread pool does now and then.
 */
class HeldIndexStore extends VersionedStore<SessionIndexDoc> {
  holdRead = false;
  holdUpdate = false;
  #started = 0;
  #finished = 0;
  #heldReadDone: Promise<void> = Promise.resolve();

  override async read(): Promise<SessionIndexDoc> {
    if (!this.holdRead) return super.read();
    this.holdRead = false;
    let done = (): void => undefined;
    this.#heldReadDone = new Promise((resolve) => (done = resolve));
    const doc = await super.read();
    done();
    await this.#othersWritten(0);
    return doc;
  }

  override async update(change: (doc: SessionIndexDoc) => SessionIndexDoc | Promise<SessionIndexDoc>): Promise<SessionIndexDoc> {
    this.#started += 1;
    try {
      const doc = await super.update(async (current) => {
        await this.#heldReadDone;
        return change(current);
      });
      if (this.holdUpdate) {
        this.holdUpdate = false;
        await this.#othersWritten(1);
      }
      return doc;
    } finally {
      this.#finished += 1;
    }
  }

  /** Waits until every change started on the store, but `own` of them, has been written. */
  async #othersWritten(own: number): Promise<void> {
    while (this.#started - this.#finished > own) await turn();
  }
}

/** The session state never goes to the network here. */
const noNetwork: FetchLike = () => Promise.reject(new Error('no network in this test'));

async function openState(): Promise<{ state: SessionState; store: HeldIndexStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-index-order-'));
  await sessionIndexStore(dir, Date.now).update(add(record('s-00000001')));
  const store = new HeldIndexStore(join(dir, 'sessions.json'), { schemaVersion: 1, empty: () => ({ sessions: [], revocations: [] }), parse: (v) => {
    const { sessions, revocations } = v as SessionIndexDoc;
    return { sessions, revocations };
  } }, Date.now);
  const deps = { dataDir: dir, secrets: new MemorySecretStore(), fetch: noNetwork, now: Date.now };
  const state = new SessionState(deps, store, await store.read(), new TokenCache(dir), new ProviderDirectory(noNetwork, { now: Date.now }));
  return { state, store, dir };
}

const ids = (doc: SessionIndexDoc): string[] => doc.sessions.map((s) => s.id).sort();

test('a re-read of the index that read the file before a change was written does not undo that change in memory', async () => {
  const { state, store, dir } = await openState();
  // Another process rewrites the index: the re-read below has a new file to read (an unchanged one is not read again).
  await sessionIndexStore(dir, Date.now).update((doc) => doc);
  store.holdRead = true;
  // The re-read (a refresh deciding on the current state, the watcher) reads the file, then a sign-in stores its session.
  const reading = state.reload();
  const storing = state.updateIndex(add(record('s-00000002')));
  await Promise.all([reading, storing]);
  const onDisk = await sessionIndexStore(dir, Date.now).read();
  assert.deepEqual(ids(onDisk), ['s-00000001', 's-00000002']);
  assert.deepEqual(ids(state.doc), ids(onDisk), 'the desk lists what sessions.json holds');
  assert.doesNotThrow(() => state.record('s-00000002'));
});

test('two sign-ins storing at once: the one written first but finishing last does not hide the other', async () => {
  const { state, store, dir } = await openState();
  store.holdUpdate = true;
  const first = state.updateIndex(add(record('s-00000002')));
  const second = state.updateIndex(add(record('s-00000003')));
  await Promise.all([first, second]);
  const onDisk = await sessionIndexStore(dir, Date.now).read();
  assert.deepEqual(ids(onDisk), ['s-00000001', 's-00000002', 's-00000003']);
  assert.deepEqual(ids(state.doc), ids(onDisk), 'the desk lists what sessions.json holds');
});

test('many concurrent changes and re-reads: every change is in the file and in memory, and a failing change fails alone', async () => {
  const { state, dir } = await openState();
  const work: Promise<unknown>[] = [];
  for (let i = 2; i < 42; i++) {
    work.push(state.updateIndex(add(record(`s-${i.toString(16).padStart(8, '0')}`))));
    if (i % 3 === 0) work.push(state.reload());
  }
  const failing = assert.rejects(state.updateIndex(() => {
    throw new Error('this change fails');
  }), /this change fails/);
  await Promise.all([...work, failing]);
  const onDisk = await sessionIndexStore(dir, Date.now).read();
  assert.equal(onDisk.sessions.length, 41);
  assert.deepEqual(ids(state.doc), ids(onDisk));
});
