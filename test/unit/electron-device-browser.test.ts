/**
 * The desktop app's system browser and a device sign-in (RFC 8628): nothing opens by itself (the person
 * finishes on another device), but the verification pages the core checked may be opened from the window's
 * link while the flow waits, through a redirect file; they are forgotten when the flow ends. Over a real
 * desk and the local provider's device flow, the FAKE electron's shell (test/harness/fake-electron.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeskEvent, DeviceSignInStart } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { SystemBrowser, browserHandoffHook, endFlowsOnEvents } from '../../src-main/electron/system-browser.ts';
import { deviceClient } from '../harness/device-flow.ts';
import { called, shell } from '../harness/fake-electron.ts';
import { startTestIdp, type TestIdp } from '../harness/idp.ts';

let idp: TestIdp;
let desk: Desk;
let tempDir: string;
before(async () => {
  idp = await startTestIdp({ clients: [deviceClient('dev')], grants: { deviceFlow: true } });
  desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-devbrowser-')), secrets: new MemorySecretStore() });
  tempDir = await mkdtemp(join(tmpdir(), 'oidc-desk-devbrowser-tmp-'));
  assert.ok((await desk.api.addProfile({ profile: { name: 'tv', issuer: idp.issuer, clientId: 'dev', allowHttpLoopback: true, flow: 'device_code' } })).ok);
});
after(async () => {
  desk?.close();
  await idp?.stop();
});

test('a device sign-in opens nothing by itself; its verification pages open from the window until the flow ends', { timeout: 60_000 }, async () => {
  const browser = new SystemBrowser({ shell, tempDir });
  const stop = endFlowsOnEvents(desk.api, browser);
  try {
    const result = await browserHandoffHook(desk.api, browser)('startSignIn', { profile: 'tv' }, () => desk.api.startSignIn({ profile: 'tv' }));
    assert.ok(result.ok && typeof result.value === 'object' && result.value !== null && 'device' in result.value, 'the device start passes through');
    const { flowId, device } = result.value as DeviceSignInStart;
    assert.equal(called('shell.openExternal').length, 0, 'no browser opened by itself');
    const complete = device.verificationUriComplete ?? '';
    assert.equal(browser.isAllowed(device.verificationUri), true);
    assert.equal(browser.isAllowed(complete), true);
    assert.equal(await browser.open(complete), true, 'the window\'s link opens it');
    const [opened] = called('shell.openExternal').map((args) => String(args[0]));
    assert.ok(opened !== undefined && opened.startsWith('file:'), 'through a redirect file');

    const ended = new Promise<DeskEvent>((resolve) => {
      const off = desk.api.subscribe((e) => {
        if (e.type === 'sign-in-failed' && e.flowId === flowId) {
          off();
          resolve(e);
        }
      });
    });
    assert.ok((await desk.api.cancelSignIn({ flowId })).ok);
    await ended;
    assert.equal(browser.isAllowed(complete), false, 'forgotten when the flow ends');
    assert.equal(existsSync(fileURLToPath(opened)), false, 'its redirect file removed');
  } finally {
    stop();
    browser.endAll();
  }
});
