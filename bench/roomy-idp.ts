/**
 * The local provider of the tests (test/harness/idp.ts: the demo provider with request counters, as a
 * child process) with room for hundreds of grants: oidc-provider's LRUs made unbounded before it starts
 * (bench/roomy-provider-store.mjs), so no refresh token is evicted while still valid.
 */
import { fileURLToPath } from 'node:url';
import { startTestIdp, type TestIdp } from '../test/harness/idp.ts';

const PRELOAD = fileURLToPath(new URL('./roomy-provider-store.mjs', import.meta.url));

/** Starts the local provider with the roomy store (the child inherits NODE_OPTIONS from this process). */
export async function startRoomyIdp(): Promise<TestIdp> {
  const before = process.env['NODE_OPTIONS'];
  process.env['NODE_OPTIONS'] = `${before ?? ''} --import=${PRELOAD}`.trim();
  try {
    return await startTestIdp();
  } finally {
    if (before === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = before;
  }
}
