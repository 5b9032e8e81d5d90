/**
 * Watching the index for what other processes change (the CLI signing in or out while the desktop app
 * runs), announced to every front as session events.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import type { SessionState } from './session-state.ts';

/** Watches the data directory for index changes; returns the stop function. */
export function watchIndex(state: SessionState): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(state.deps.dataDir, { persistent: false }, (_event, name) => {
      if (name !== 'sessions.json') return;
      clearTimeout(timer);
      // An atomic write is a burst of events: look once it settled.
      timer = setTimeout(() => void syncFromDisk(state), 50);
    });
  } catch {
    return () => undefined; // no watching on this file system: fronts still see changes on their next action
  }
  watcher.on('error', () => undefined);
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** Re-reads the index and announces what another process added, changed or removed. */
async function syncFromDisk(state: SessionState): Promise<void> {
  const before = new Map(state.doc.sessions.map((r) => [r.id, r]));
  try {
    await state.reload();
  } catch {
    return; // a damaged index is reported at the next start; the view stays as it was
  }
  for (const record of state.doc.sessions) {
    const old = before.get(record.id);
    before.delete(record.id);
    if (old === undefined) state.emit({ type: 'session-added', session: state.view(record) });
    else if (JSON.stringify(old) !== JSON.stringify(record)) state.emit({ type: 'session-updated', session: state.view(record) });
  }
  for (const id of before.keys()) {
    state.live.delete(id);
    state.scheduler.cancel(id);
    state.emit({ type: 'session-removed', sessionId: id });
  }
}
