/**
 * The desktop window's preload: `window.oidcDesk`, one function per renderer-facing operation of `DeskApi`
 * over `ipcRenderer.invoke('desk:<operation>')`, and `subscribe` over the one event channel. The page never
 * gets `ipcRenderer` itself, nor an IPC event object. Sandboxed: bundled to CommonJS, requires only electron.
 * @module
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { RENDERER_OPERATIONS } from '../core/api/operations.ts';
import type { DeskEvent } from '../core/contract.ts';
import { EVENT_CHANNEL, operationChannel } from '../electron/channels.ts';

/** Subscribes to every desk event; returns the unsubscribe (idempotent). Only the event crosses, never the IPC event. */
function subscribe(listener: (event: DeskEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
  const forward = (_event: IpcRendererEvent, event: DeskEvent): void => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, forward);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    ipcRenderer.removeListener(EVENT_CHANNEL, forward);
  };
}

const api: Record<string, unknown> = { subscribe };
for (const operation of RENDERER_OPERATIONS) {
  api[operation] = (input?: unknown): Promise<unknown> => ipcRenderer.invoke(operationChannel(operation), input);
}

contextBridge.exposeInMainWorld('oidcDesk', Object.freeze(api));
