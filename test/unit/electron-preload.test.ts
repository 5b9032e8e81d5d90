/**
 * The desktop window's preload, loaded in plain Node with the FAKE electron module (test/harness/fake-electron.ts,
 * not Electron): it exposes exactly the renderer-facing operations plus subscribe, each over its own channel,
 * and never hands the page ipcRenderer or an IPC event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { DESK_OPERATIONS } from '../../src-main/core/api/schemas.ts';
import type { DeskEvent } from '../../src-main/core/contract.ts';
import { EVENT_CHANNEL } from '../../src-main/electron/channels.ts';
import { IS_FAKE_ELECTRON, called, contextBridge, ipcRenderer } from '../harness/fake-electron.ts';

register('../harness/fake-electron-loader.mjs', import.meta.url);
await import('../../src-main/preload/preload.ts');

const exposed = contextBridge.exposed.get('oidcDesk') as Record<string, unknown>;

test('the preload ran against the fake electron module', () => {
  assert.equal(IS_FAKE_ELECTRON, true);
  assert.deepEqual([...contextBridge.exposed.keys()], ['oidcDesk'], 'one key, oidcDesk, and nothing else');
});

test('window.oidcDesk has exactly the operations of DeskApi and subscribe, all functions, frozen', () => {
  assert.deepEqual(Object.keys(exposed).sort(), [...DESK_OPERATIONS, 'subscribe'].sort());
  for (const value of Object.values(exposed)) assert.equal(typeof value, 'function');
  assert.ok(Object.isFrozen(exposed));
  assert.ok(!Object.values(exposed).includes(ipcRenderer), 'ipcRenderer itself is not exposed');
});

test('each operation invokes its own channel with the input as given', async () => {
  const input = { sessionId: 's-1' };
  const result = await (exposed['getSession'] as (i: unknown) => Promise<unknown>)(input);
  assert.deepEqual(result, { ok: true, value: 'desk:getSession' });
  assert.deepEqual(called('ipcRenderer.invoke').at(-1), ['desk:getSession', input]);
  await (exposed['listSessions'] as () => Promise<unknown>)();
  assert.deepEqual(called('ipcRenderer.invoke').at(-1), ['desk:listSessions', undefined]);
});

test('subscribe hands the listener the desk event only, and its unsubscribe stops it', () => {
  const heard: unknown[][] = [];
  const unsubscribe = (exposed['subscribe'] as (l: (...args: unknown[]) => void) => () => void)((...args) => heard.push(args));
  const event: DeskEvent = { type: 'session-removed', sessionId: 's-1' };
  ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer }, event);
  assert.deepEqual(heard, [[event]], 'one argument, the event: the IPC event (whose sender is ipcRenderer) stays out');
  unsubscribe();
  unsubscribe();
  ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer }, event);
  assert.equal(heard.length, 1);
  assert.equal(ipcRenderer.listenerCount(EVENT_CHANNEL), 0);
  assert.throws(() => (exposed['subscribe'] as (l: unknown) => unknown)('not a function'), TypeError);
});

test('the built preload is CommonJS that requires electron and nothing else (a sandboxed preload can require no more)', async () => {
  const { readFile } = await import('node:fs/promises');
  const built = await readFile(new URL('../../dist/electron/preload.cjs', import.meta.url), 'utf8');
  const required = [...built.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.doesNotMatch(built, /^\s*(import|export)\s/m, 'no ESM syntax');
});
