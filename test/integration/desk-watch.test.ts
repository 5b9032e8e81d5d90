/**
 * A running front sees what another process changes: a desk opened with `watch` announces a refresh and a
 * sign-out made by another process over the same data directory and keychain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeskEvent } from '../../src-main/core/contract.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { refreshedBody, setup } from '../harness/hostile-session.ts';

function waitFor(events: DeskEvent[], match: (e: DeskEvent) => boolean, what: string): Promise<DeskEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const look = (): void => {
      const found = events.find(match);
      if (found) resolve(found);
      else if (Date.now() - started > 10_000) reject(new Error(`no ${what} event`));
      else setTimeout(look, 20);
    };
    look();
  });
}

test('a watching desk announces another process\'s refresh and sign-out', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), { revocation: () => ({ status: 200, body: '' }) });
  const desk = await openDesk({ dataDir: service.dataDir, secrets, watch: true });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  try {
    await service.refresh(view.id);
    const updated = await waitFor(events, (e) => e.type === 'session-updated', 'session-updated');
    assert.equal(updated.type === 'session-updated' ? updated.session.id : '', view.id);
    await service.signOut(view.id);
    await waitFor(events, (e) => e.type === 'session-removed' && e.sessionId === view.id, 'session-removed');
    const list = await desk.api.listSessions();
    assert.deepEqual(list.ok ? list.value : 'failed', []);
  } finally {
    desk.close();
    await idp.stop();
  }
});
