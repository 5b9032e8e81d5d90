/**
 * Sessions of a real desk for the benches: `openDesk` over a new data directory, a profile of the local
 * provider, and sign-ins through the API (startSignIn, the login driver, the callback delivered as a deep
 * link, the `sign-in-completed` event).
 */
import { rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, SessionView } from '../src-main/core/contract.ts';
import { openDesk, type Desk } from '../src-main/core/desk.ts';
import type { SecretStore } from '../src-main/core/store/secret-store.ts';
import { REDIRECT_URI, SCOPES } from './bare-client.ts';
import { signInOverHttp } from './login-driver.ts';
import { instantKeychain } from './secret-stores.ts';

/**
 * A desk over a new private data directory under `root` (default: the system's temporary directory), with
 * `secrets` (default: the in-memory store standing in for a keychain). Closing it removes the directory.
 */
export async function openBenchDesk(secrets: SecretStore = instantKeychain(), root: string = tmpdir()): Promise<Desk> {
  const desk = await openDesk({ dataDir: await mkdtemp(join(root, 'oidc-desk-bench-')), secrets });
  return {
    ...desk,
    close: () => {
      desk.close();
      rmSync(desk.dataDir, { recursive: true, force: true });
    },
  };
}

/** A memory file system to put a second data directory on (Linux's /dev/shm), when this machine has one. */
export function memoryFileSystem(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return statSync('/dev/shm').isDirectory() ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

/** The value of a call that must succeed. */
export function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Adds a profile of the local provider (the same client, redirect and scopes as the bare client's). */
export async function addLocalProfile(desk: Desk, issuer: string, name: string): Promise<void> {
  must(await desk.api.addProfile({ profile: { name, issuer, clientId: 'oidc-desk', redirect: REDIRECT_URI, allowHttpLoopback: true, scopes: SCOPES, extraParams: { prompt: 'consent' } } }), 'addProfile');
}

/** A sign-in started through the API and walked through the provider: its callback, not delivered yet. */
export interface DeskCallback {
  readonly flowId: string;
  readonly callbackUrl: string;
}

/** Starts a sign-in of `profile` and signs `username` in at the provider (the part a person does). */
export async function authorizeDesk(desk: Desk, profile: string, username: string, password: string): Promise<DeskCallback> {
  const started = must(await desk.api.startSignIn({ profile }), 'startSignIn');
  if ('session' in started || 'device' in started) throw new Error(`the profile ${profile} signs in without a browser: the bench needs a code-flow profile`);
  return { flowId: started.flowId, callbackUrl: await signInOverHttp(started.authorizationUrl, username, password) };
}

/** Delivers the callback as the host does with a deep link; resolves once the session is stored and announced. */
export async function completeDesk(desk: Desk, callback: DeskCallback): Promise<SessionView> {
  let unsubscribe = (): void => undefined;
  const event = new Promise<Extract<DeskEvent, { type: 'sign-in-completed' | 'sign-in-failed' }>>((resolve) => {
    unsubscribe = desk.api.subscribe((e) => {
      if ((e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === callback.flowId) resolve(e);
    });
  });
  try {
    must(await desk.deliverCallback(callback.callbackUrl), 'deliverCallback');
    const done = await event;
    if (done.type === 'sign-in-failed') throw new Error(`sign-in failed: ${done.error.code}`);
    return done.session;
  } finally {
    unsubscribe();
  }
}

/** A whole sign-in (setup, not measured). */
export async function signInDesk(desk: Desk, profile: string, username: string, password: string): Promise<SessionView> {
  return completeDesk(desk, await authorizeDesk(desk, profile, username, password));
}

/** Runs `task(i)` for i in [0, count) with at most `parallel` at a time. */
export async function inBatches<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  }));
  return out;
}
