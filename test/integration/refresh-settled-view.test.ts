/**
 * A refresh answers and announces the session as it is once the refresh is over: the view its callers get
 * is the one its last `session-updated` event carries, no longer marked refreshing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionView } from '../../src-main/core/contract.ts';
import { createHttpClient } from '../../src-main/core/http/client.ts';
import { SessionService } from '../../src-main/core/session/session-service.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { useLocalProvider } from '../harness/local-provider.ts';

const { signedIn } = useLocalProvider();

test('refresh resolves with the settled view, the same one its last session-updated event announces', async () => {
  const service = await SessionService.open({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-rv-')), secrets: new MemorySecretStore(), fetch: createHttpClient(), now: Date.now });
  try {
    const view = await signedIn(service);
    const announced: SessionView[] = [];
    const stop = service.subscribe((event) => {
      if (event.type === 'session-updated' && event.session.id === view.id) announced.push(event.session);
    });
    const refreshed = await service.refresh(view.id);
    stop();
    assert.equal(refreshed.refreshing, false, 'the refresh is over when its promise settles');
    assert.notEqual(refreshed.accessToken?.fingerprint, view.accessToken?.fingerprint, 'a new access token');
    assert.deepEqual(announced.map((v) => v.refreshing), [true, false], 'announced as refreshing, then as settled');
    assert.deepEqual(announced.at(-1), refreshed);
    assert.equal(service.view(view.id).refreshing, false);
  } finally {
    service.close();
  }
});
