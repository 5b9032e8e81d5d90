/**
 * Deep links into the desktop app, with the FAKE electron's app (test/harness/fake-electron.ts, not Electron)
 * emitting `open-url` and `second-instance`: buffered until the desk opens, only the single argument after
 * `--` that parses as a registered scheme used, interceptors first, the window brought up after a callback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Result } from '../../src-main/core/contract.ts';
import { installDeepLinks, registeredSchemes, type DeepLinkTarget } from '../../src-main/electron/deep-links.ts';
import { FakeEvent } from '../harness/fake-electron.ts';

const CALLBACK = 'dev.oidcdesk:/callback?code=c1&state=s1';

/** A fresh fake app (an emitter, as Electron's app is) and a target that records what reached the desk. */
function setup(argv: readonly string[] = ['/opt/OIDC Desk/oidc-desk'], interceptors: ((url: string) => boolean)[] = []) {
  const app = new EventEmitter();
  const delivered: string[] = [];
  let focused = 0;
  const target: DeepLinkTarget = {
    deliver: async (url): Promise<Result<null>> => {
      delivered.push(url);
      return { ok: true, value: null };
    },
    schemes: async () => registeredSchemes([{ redirect: 'app-scheme' }, { redirect: 'com.example.app:/cb' }, { redirect: 'http://127.0.0.1:8765/callback' }]),
    focus: () => void (focused += 1),
  };
  const links = installDeepLinks(app as never, argv, interceptors);
  const secondInstance = async (args: readonly string[]): Promise<void> => {
    app.emit('second-instance', new FakeEvent(), args, '/', {});
    await links.idle();
  };
  return { app, links, target, delivered, focused: () => focused, secondInstance };
}

test('the registered schemes: dev.oidcdesk and the profiles\' custom schemes, not http', () => {
  assert.deepEqual(registeredSchemes([{ redirect: 'app-scheme' }, { redirect: 'com.example.app:/cb' }, { redirect: 'loopback' }, { redirect: 'http://127.0.0.1:1/cb' }]), ['dev.oidcdesk', 'com.example.app']);
});

test('open-url before ready is buffered and delivered once the desk opens, in order', async () => {
  const { app, links, target, delivered, focused } = setup();
  const first = new FakeEvent();
  app.emit('open-url', first, CALLBACK);
  app.emit('open-url', new FakeEvent(), 'com.example.app:/cb?code=c2&state=s2');
  app.emit('open-url', new FakeEvent(), 'javascript:alert(1)');
  assert.equal(first.defaultPrevented, true);
  assert.deepEqual(delivered, [], 'nothing before the desk is open');
  await links.open(target);
  assert.deepEqual(delivered, [CALLBACK, 'com.example.app:/cb?code=c2&state=s2']);
  assert.equal(focused(), 2);
  app.emit('open-url', new FakeEvent(), 'dev.oidcdesk:/callback?code=c3&state=s3');
  await links.idle();
  assert.equal(delivered.at(-1), 'dev.oidcdesk:/callback?code=c3&state=s3');
});

test('second-instance: injected arguments are ignored, only the single URL after -- is used', async () => {
  const { links, target, delivered, focused, secondInstance } = setup();
  await links.open(target);
  const exe = 'C:\\Program Files\\OIDC Desk\\OIDC Desk.exe';
  await secondInstance([exe, '--inspect=9229', '--gpu-launcher=evil', 'dev.oidcdesk:/callback?code=before&state=x', '--', CALLBACK]);
  assert.deepEqual(delivered, [CALLBACK]);
  assert.equal(focused(), 1);
  await secondInstance([exe, '--', CALLBACK, 'dev.oidcdesk:/callback?code=two&state=y']);
  await secondInstance([exe, '--', '--gpu-launcher=evil']);
  await secondInstance([exe, '--', 'https://evil.example/?code=c&state=s']);
  await secondInstance([exe, '--inspect=9229', '--', 'file:///etc/passwd']);
  await secondInstance([exe, 'dev.oidcdesk:/callback?code=before&state=x', '--']);
  assert.deepEqual(delivered, [CALLBACK], 'two URLs, an option, a foreign scheme, a URL only before --: nothing delivered');
  assert.equal(focused(), 6, 'a second start still brings the window up');
});

test('cold start: the argv of the first instance is read once the desk opens', async () => {
  const { links, target, delivered } = setup(['/usr/lib/oidc-desk/electron', '/usr/lib/oidc-desk/app', '--no-sandbox', '--', CALLBACK]);
  await links.open(target);
  assert.deepEqual(delivered, [CALLBACK]);
  const none = setup(['/usr/lib/oidc-desk/electron', '--inspect=9229', '--gpu-launcher=evil']);
  await none.links.open(none.target);
  assert.deepEqual(none.delivered, []);
  assert.equal(none.focused(), 0);
});

test('an interceptor that takes a URL keeps it from the desk; one that declines passes it on', async () => {
  const seen: string[] = [];
  const { links, target, delivered, secondInstance } = setup(['/x'], [(url) => (seen.push(url), url.includes('self-test'))]);
  await links.open(target);
  await secondInstance(['/x', '--', 'dev.oidcdesk:/self-test?n=1']);
  await secondInstance(['/x', '--', CALLBACK]);
  assert.deepEqual(seen, ['dev.oidcdesk:/self-test?n=1', CALLBACK]);
  assert.deepEqual(delivered, [CALLBACK]);
});
