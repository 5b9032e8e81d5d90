/**
 * The API's scheme operations: without a scheme host (the CLI, browser mode) both answer
 * SCHEME_HOST_UNAVAILABLE, over HTTP too; with the desktop app's registry (the real Linux registration under
 * a private XDG home) a saved scheme profile gets its scheme registered, and its status reads as the desktop says.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileInput, Result, SchemeHost } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { DESKTOP_FILE_ID, type ExecRunner } from '../../src-main/electron/scheme-registration.ts';
import { privateDesktop, privateDesktopSkip, type PrivateDesktop } from '../harness/private-desktop.ts';
import { callApi, closeTestWebs, connect, startTestWeb } from '../harness/web-server.ts';

const OKTA: ProfileInput = { name: 'okta', issuer: 'https://dev-123456.okta.com/oauth2/default', clientId: '0oa1b2c3d4e5f6g7h8i9', redirect: 'com.okta.example:/callback' };
const LOOPBACK: ProfileInput = { name: 'cli', issuer: 'https://dev-123456.okta.com', clientId: '0oa1b2c3d4e5f6g7h8i9', redirect: 'loopback' };

const desks: Desk[] = [];
const desktops: PrivateDesktop[] = [];
after(async () => {
  for (const desk of desks) desk.close();
  for (const desktop of desktops) desktop.remove();
  await closeTestWebs();
});

async function open(schemes?: SchemeHost): Promise<Desk> {
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-schemes-api-')), secrets: new MemorySecretStore(), ...(schemes === undefined ? {} : { schemes }) });
  desks.push(desk);
  return desk;
}

function code(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.code;
}

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

test('without a scheme host both operations answer SCHEME_HOST_UNAVAILABLE, and so does registerSchemes', async () => {
  const desk = await open();
  value(await desk.api.addProfile({ profile: OKTA }));
  for (const result of [await desk.api.schemeStatus({ profile: 'okta' }), await desk.api.testScheme({ profile: 'okta' }), await desk.registerSchemes()]) {
    assert.equal(code(result), 'SCHEME_HOST_UNAVAILABLE');
    assert.ok(!result.ok && !result.error.message.includes('com.okta.example'), 'the message names no scheme the user typed');
    assert.match(result.ok ? '' : result.error.message, /desktop app/);
  }
  assert.equal(code(await desk.api.schemeStatus({ profile: 'okta', scheme: 'x.y' } as never)), 'USAGE', 'the schema still narrows the input first');
});

test('browser mode answers both operations with SCHEME_HOST_UNAVAILABLE', async () => {
  const web = await startTestWeb();
  const cookie = await connect(web.server);
  assert.equal(code(await callApi(web.origin, 'addProfile', { profile: OKTA }, cookie)), 'ok');
  assert.equal(code(await callApi(web.origin, 'schemeStatus', { profile: 'okta' }, cookie)), 'SCHEME_HOST_UNAVAILABLE');
  assert.equal(code(await callApi(web.origin, 'testScheme', { profile: 'okta' }, cookie)), 'SCHEME_HOST_UNAVAILABLE');
});

test('with the desktop app\'s registry: a saved scheme profile registers every profile\'s scheme; status as the desktop says', { skip: privateDesktopSkip() }, async () => {
  const desktop = privateDesktop();
  desktops.push(desktop);
  const desk = await open(desktop.registry(['/opt/OIDC Desk/oidc-desk']));
  assert.equal(desktop.query('com.okta.example'), '', 'nothing registered before the profile is saved');

  value(await desk.api.addProfile({ profile: OKTA }));
  assert.equal(desktop.query('com.okta.example'), DESKTOP_FILE_ID, 'adding the profile registered its scheme');
  assert.equal(desktop.query('dev.oidcdesk'), DESKTOP_FILE_ID, 'and the app\'s own');
  assert.deepEqual(value(await desk.api.schemeStatus({ profile: 'okta' })), {
    profile: 'okta', scheme: 'com.okta.example', registered: 'yes', handler: DESKTOP_FILE_ID, detail: 'The desktop hands this scheme to OIDC Desk.',
  });

  value(await desk.api.addProfile({ profile: LOOPBACK }));
  const loopback = value(await desk.api.schemeStatus({ profile: 'cli' }));
  assert.equal(loopback.registered, 'not-applicable');
  assert.equal(loopback.scheme, null);
  assert.equal(code(await desk.api.testScheme({ profile: 'cli' })), 'REDIRECT_UNSUPPORTED', 'a loopback profile has no scheme to test');
  assert.equal(code(await desk.api.schemeStatus({ profile: 'nobody' })), 'PROFILE_NOT_FOUND');

  value(await desk.api.updateProfile({ name: 'okta', profile: { ...OKTA, redirect: 'org.example.desk:/callback' } }));
  assert.equal(desktop.query('org.example.desk'), DESKTOP_FILE_ID, 'updating the profile registered its new scheme');
  assert.match(await readFile(desktop.entry, 'utf8'), /^MimeType=x-scheme-handler\/dev\.oidcdesk;x-scheme-handler\/org\.example\.desk;$/m, 'the entry lists the profiles\' schemes as they are now');
  assert.deepEqual(value(await desk.registerSchemes()), ['dev.oidcdesk', 'org.example.desk']);
});

test('the OS refusing the registration: the profile is saved all the same, and the status says the registration failed', { skip: privateDesktopSkip() }, async () => {
  const desktop = privateDesktop();
  desktops.push(desktop);
  // xdg-mime refuses to set a default (as when it cannot write mimeapps.list); queries still work.
  const refusing: ExecRunner = (file, args, options) => (file === 'xdg-mime' && args[0] === 'default' ? Promise.reject(Object.assign(new Error('refused'), { code: 4 })) : desktop.exec(file, args, options));
  // Another program is the scheme's handler, and stays it.
  await mkdir(desktop.applications, { recursive: true });
  await writeFile(join(desktop.applications, 'other.desktop'), '[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\nMimeType=x-scheme-handler/com.okta.example;\n');
  assert.equal(spawnSync('xdg-mime', ['default', 'other.desktop', 'x-scheme-handler/com.okta.example'], { env: desktop.env }).status, 0);
  const desk = await open(desktop.registry(['/usr/bin/oidc-desk'], refusing));
  value(await desk.api.addProfile({ profile: OKTA }));
  assert.equal(value(await desk.api.listProfiles()).length, 1);
  const status = value(await desk.api.schemeStatus({ profile: 'okta' }));
  assert.equal(status.registered, 'no');
  assert.equal(status.handler, 'other.desktop');
  assert.match(status.detail, /last registration failed: xdg-mime exited with status 4/);
  assert.equal(code(await desk.registerSchemes()), 'SCHEME_REGISTRATION_FAILED');
});
