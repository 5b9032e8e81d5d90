/**
 * A desk for the integration tests whose clock the test moves forward (expiry without waiting), over the
 * real keychain when the run has one (else the in-memory store, said to be persistent), and the value of a
 * call that must succeed.
 */
import assert from 'node:assert/strict';
import type { DeskEvent, Result } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';

/** The OS keychain under a service of its own (the test run's gnome-keyring), or the in-memory store without one. */
export function testKeychain(label: string): SecretStore {
  if (process.env['OIDC_DESK_TEST_KEYRING'] === '1') return new KeytarSecretStore({ service: `OIDC Desk ${label} ${process.pid} ${Math.random()}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** A desk, the events it emitted, and how far its clock is ahead of the real one (ms; the test sets it). */
export interface ClockedDesk { readonly desk: Desk; readonly events: DeskEvent[]; offset: number }

/** Opens a desk over `dataDir` whose `now` is the real clock plus the returned object's `offset`. */
export async function openClockedDesk(dataDir: string, secrets: SecretStore): Promise<ClockedDesk> {
  const opened: ClockedDesk = { desk: undefined as unknown as Desk, events: [], offset: 0 };
  const desk = await openDesk({ dataDir, secrets, now: () => Date.now() + opened.offset });
  desk.api.subscribe((event) => void opened.events.push(event));
  return Object.assign(opened, { desk });
}

/** The value of a call that must succeed; fails the test with the error's code otherwise. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
