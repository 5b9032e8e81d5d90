/**
 * Attacks on the browser-mode server (SECURITY.md, "browser mode" and "renderer"), with plain fetch and
 * forged headers against a real server over a real desk holding a real session (the local provider, the
 * real keychain): no token, a wrong token and its rate limit, a foreign Host, a cross-origin POST, a
 * cross-site event stream, a request for a refresh token, an oversized body, a form post, wrong methods,
 * unknown operations, paths out of the renderer's directory. Each is refused with its status and nothing
 * changes: not the data directory, not the keychain entry. No answer ever carries the refresh token.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, ProfileView, SessionView, SignInStart } from '../../src-main/core/contract.ts';
import { FREE_TOKEN_FAILURES } from '../../src-main/web/connection-auth.ts';
import { DEMO_USERS } from '../harness/idp.ts';
import { useLocalProvider } from '../harness/local-provider.ts';
import { recordSecrets, redirectSecrets } from '../harness/secrets-ledger.ts';
import {
  assertSecurityHeaders, callApi, closeTestWebs, connect, everythingAnswered, openEvents, post, rawRequest, snapshot, startTestWeb, value, type TestWeb,
} from '../harness/web-server.ts';

const { idp, browser } = useLocalProvider();
let web: TestWeb;
let cookie: string;
let sessionId: string;
let refreshToken: string;
let clock = Date.now();
/** The refresh tokens the session had (it rotates), and what the server answered outside callApi/openEvents: grepped at the end. */
const refreshTokens: string[] = [];
const answered: string[] = [];

// node 20 runs a file's top-level before() hooks side by side: the provider of useLocalProvider() may not be
// up yet in another before(), so each test awaits this setup, which runs once, at the first test.
let ready: Promise<void> | undefined;
const setup = (): Promise<void> => (ready ??= signedInThroughTheServer());

async function signedInThroughTheServer(): Promise<void> {
  web = await startTestWeb({ now: () => clock });
  cookie = await connect(web.server);
  await value<ProfileView>(web.origin, 'addProfile', { profile: { name: 'local', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'loopback', extraParams: { prompt: 'consent' } } }, cookie);
  await value<ProfileView>(web.origin, 'listProfiles', null, cookie);
  const stream = await openEvents(web.origin, cookie);
  const started = await value<SignInStart>(web.origin, 'startSignIn', { profile: 'local' }, cookie);
  const user = DEMO_USERS[0]!;
  const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: started.redirectUri });
  recordSecrets(...redirectSecrets(redirect));
  const done = await stream.next((e) => (e.type === 'sign-in-completed' || e.type === 'sign-in-failed') && e.flowId === started.flowId);
  assert.equal(done.type, 'sign-in-completed', JSON.stringify(done));
  sessionId = done.type === 'sign-in-completed' ? done.session.id : '';
  answered.push(stream.text());
  stream.close();
  const read = await web.secrets.get(sessionId);
  assert.equal(read.kind, 'found', 'the refresh token is in the keychain');
  refreshToken = read.kind === 'found' ? read.secret.refreshToken : '';
  recordSecrets(refreshToken);
  refreshTokens.push(refreshToken);
}

after(() => closeTestWebs());

/** The state an attack must not change: every file of the data directory, the keychain entry, the sessions and profiles. */
async function state(): Promise<unknown> {
  const entry = await web.secrets.get(sessionId);
  const sessions = await value<SessionView[]>(web.origin, 'listSessions', null, cookie);
  const profiles = await value<ProfileView[]>(web.origin, 'listProfiles', null, cookie);
  return { files: await snapshot(web.dataDir), entry, sessions: sessions.map((s) => [s.id, s.status, s.updatedAt]), profiles };
}

async function text(res: Response): Promise<string> {
  const body = await res.text();
  answered.push(body);
  return body;
}

test('listens on 127.0.0.1 only, and every answer carries the strict CSP and the hardening headers, never a CORS header', async () => {
  await setup();
  const other = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  if (other !== undefined) {
    await assert.rejects(fetch(`http://${other.address}:${web.server.port}/`), 'not reachable on another interface');
  }
  await assert.rejects(fetch(`http://[::1]:${web.server.port}/`), 'not on ::1 either');
  const answers = [
    await fetch(`${web.origin}/`, { headers: { cookie } }),
    await fetch(`${web.origin}/`),
    await post(web.origin, 'listSessions', null, cookie),
    await post(web.origin, 'listSessions', null, cookie, { origin: 'http://evil.example' }),
    await fetch(`${web.origin}/oidc-desk-client.js`, { headers: { cookie } }),
    await fetch(`${web.origin}/nothing-here`, { headers: { cookie } }),
  ];
  for (const res of answers) {
    assertSecurityHeaders(res.headers, `${res.url} (${res.status})`);
    await text(res);
  }
  const rebound = await rawRequest(web.server.port, { headers: { host: 'evil.example', cookie } });
  assertSecurityHeaders(rebound.headers, 'a 421');
});

test('no connection token and no cookie: 401 for the page, the client script, the API and the event stream', async () => {
  await setup();
  const before = await state();
  for (const path of ['/', '/index.html', '/oidc-desk-client.js']) {
    const res = await fetch(`${web.origin}${path}`);
    assert.equal(res.status, 401, path);
    assert.doesNotMatch(await text(res), /oidcDesk|<script/i);
  }
  assert.equal((await post(web.origin, 'addProfile', { profile: { name: 'evil', issuer: idp.issuer, clientId: 'x', allowHttpLoopback: true } }, undefined)).status, 401);
  assert.equal((await post(web.origin, 'signOut', { sessionId }, undefined)).status, 401);
  assert.equal((await post(web.origin, 'listSessions', null, 'oidc-desk-1=' + 'A'.repeat(43))).status, 401, 'a made-up cookie');
  assert.equal((await post(web.origin, 'listSessions', null, `oidc-desk-${web.server.port + 1}=${cookie.split('=')[1] ?? ''}`)).status, 401, 'the cookie under another port\'s name');
  const events = await openEvents(web.origin, undefined);
  assert.equal(events.status, 401);
  assert.deepEqual(await state(), before, 'nothing changed');
});

test('a wrong connection token: 401 and no cookie; after a few, the exchange closes for a while (429, the token unread), then opens again', async () => {
  await setup();
  const right = new URL(web.server.connectUrl).searchParams.get('token') ?? '';
  const wrong = [`${right.slice(0, -1)}${right.endsWith('A') ? 'B' : 'A'}`, '', 'x', right.toUpperCase(), `${right}x`];
  const failuresBefore = web.server.tokenFailures;
  for (let i = 0; i < FREE_TOKEN_FAILURES; i += 1) {
    const res = await fetch(`${web.origin}/?token=${encodeURIComponent(wrong[i % wrong.length] ?? '')}`, { redirect: 'manual' });
    assert.equal(res.status, 401, `wrong token ${i + 1}`);
    assert.equal(res.headers.get('set-cookie'), null, 'no cookie for a wrong token');
    assertSecurityHeaders(res.headers, 'a refused token');
    await text(res);
  }
  // One more wrong token closes the exchange: now even the right one is answered 429 without being compared.
  assert.equal((await fetch(`${web.origin}/?token=nope`)).status, 401);
  const locked = await fetch(web.server.connectUrl, { redirect: 'manual' });
  assert.equal(locked.status, 429);
  assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);
  assert.equal(locked.headers.get('set-cookie'), null);
  await text(locked);
  assert.equal(web.server.tokenFailures, failuresBefore + FREE_TOKEN_FAILURES + 1, 'the locked attempt was not even counted');
  // Each further wrong token doubles the wait: the clock moves, a wrong token closes it again for longer.
  clock += 1_100;
  assert.equal((await fetch(`${web.origin}/?token=nope`)).status, 401);
  clock += 1_100;
  assert.equal((await fetch(web.server.connectUrl, { redirect: 'manual' })).status, 429, 'closed for 2 s after the second extra failure');
  clock += 1_000;
  const again = await fetch(web.server.connectUrl, { redirect: 'manual' });
  assert.equal(again.status, 200, 'the right token works once the wait is over');
  assert.match(again.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict; Path=\/$/);
  recordSecrets((again.headers.get('set-cookie') ?? '').split(';')[0]?.split('=')[1]);
  await text(again);
  // The sessions already open were never affected.
  assert.equal((await post(web.origin, 'listSessions', null, cookie)).status, 200);
});

test('a foreign Host (DNS rebinding): 421 with a valid cookie too, and nothing changed; localhost:<port> is accepted', async () => {
  await setup();
  const before = await state();
  const port = web.server.port;
  const body = JSON.stringify({ sessionId });
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1`, `0.0.0.0:${port}`, `[::1]:${port}`, `localhost.evil.example:${port}`]) {
    const page = await rawRequest(port, { headers: { host, cookie } });
    assert.equal(page.status, 421, host);
    answered.push(page.body);
    const api = await rawRequest(port, { method: 'POST', path: '/api/signOut', headers: { host, cookie, origin: `http://${host}`, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body });
    assert.equal(api.status, 421, `POST with Host ${host}`);
    const token = await rawRequest(port, { path: new URL(web.server.connectUrl).search.replace(/^/, '/'), headers: { host } });
    assert.equal(token.status, 421, `token exchange with Host ${host}`);
    assert.equal(token.headers['set-cookie'], undefined);
  }
  assert.deepEqual(await state(), before, 'nothing changed');
  const local = await rawRequest(port, { method: 'POST', path: '/api/listSessions', headers: { host: `localhost:${port}`, cookie, origin: `http://localhost:${port}`, 'content-type': 'application/json' }, body: 'null' });
  assert.equal(local.status, 200, 'localhost:<port> with its own origin');
  answered.push(local.body);
});

test('a cross-origin POST: 403 with a valid cookie (another site, another port of 127.0.0.1, no Origin, a cross-site fetch), and nothing changed', async () => {
  await setup();
  const before = await state();
  const port = web.server.port;
  const cases: Record<string, string>[] = [
    { origin: 'http://evil.example' },
    { origin: `http://127.0.0.1:${port + 1}` },
    { origin: `http://localhost:${port}` },
    { origin: 'null' },
    { origin: `${web.origin}`, 'sec-fetch-site': 'cross-site' },
    { origin: `${web.origin}`, 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of cases) {
    for (const [operation, input] of [
      ['signOut', { sessionId }],
      ['addProfile', { profile: { name: 'evil', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true } }],
      ['revokeToken', { sessionId, token: 'refresh' }],
      ['listSessions', null],
    ] as const) {
      const res = await post(web.origin, operation, input, cookie, headers);
      assert.equal(res.status, 403, `${operation} with ${JSON.stringify(headers)}`);
      assert.doesNotMatch(await text(res), /"ok"/, 'no result');
    }
  }
  // No Origin at all (a browser always sends one on a POST).
  const bare = await fetch(`${web.origin}/api/listSessions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: 'null' });
  assert.equal(bare.status, 403);
  await text(bare);
  // A form post (text/plain or urlencoded: what a page of another site can send without asking) is refused for its type too.
  const form = await post(web.origin, 'signOut', { sessionId }, cookie, { 'content-type': 'text/plain' });
  assert.equal(form.status, 415);
  await text(form);
  assert.deepEqual(await state(), before, 'nothing changed');
});

test('a cross-site (or foreign-origin) event stream: 403 with a valid cookie; the page\'s own is served', async () => {
  await setup();
  const port = web.server.port;
  for (const headers of [
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'same-origin', origin: 'http://evil.example' },
    { 'sec-fetch-site': 'none' },
    { origin: `http://127.0.0.1:${port + 1}` },
  ]) {
    const stream = await openEvents(web.origin, cookie, headers);
    assert.equal(stream.status, 403, JSON.stringify(headers));
    assertSecurityHeaders(stream.headers, 'a refused event stream');
  }
  const noMarks = await fetch(`${web.origin}/api/events`, { headers: { cookie } });
  assert.equal(noMarks.status, 403, 'neither Origin nor Sec-Fetch-Site: not a page of ours');
  await text(noMarks);
  const own = await openEvents(web.origin, cookie);
  assert.equal(own.status, 200);
  assert.match(own.headers.get('content-type') ?? '', /^text\/event-stream/);
  assertSecurityHeaders(own.headers, 'the event stream');
  own.close();
  const withOrigin = await openEvents(web.origin, cookie, { origin: web.origin, 'sec-fetch-site': 'same-origin' });
  assert.equal(withOrigin.status, 200);
  withOrigin.close();
});

test('asking for the refresh token is refused by the schema; no answer or event ever carries it', async () => {
  await setup();
  const before = await state();
  const stream = await openEvents(web.origin, cookie);
  const refused = await callApi(web.origin, 'revealToken', { sessionId, type: 'refresh' }, cookie);
  assert.equal(refused.ok ? 'ok' : refused.error.code, 'USAGE');
  const introspected = await callApi(web.origin, 'introspectToken', { sessionId, token: 'refresh' }, cookie);
  answered.push(JSON.stringify([refused, introspected]));
  // Everything a front may ask about the session, and a refresh (whose events arrive on the stream).
  for (const [operation, input] of [
    ['getSession', { sessionId }], ['listSessions', null], ['refreshSession', { sessionId }], ['getUserinfo', { sessionId }],
    ['inspectJwt', { sessionId }], ['sessionTimeline', { sessionId }], ['exportHar', { sessionId }], ['keychainStatus', null],
  ] as const) {
    const r = await callApi(web.origin, operation, input, cookie);
    assert.ok(r.ok, `${operation}: ${r.ok ? '' : r.error.code}`);
    answered.push(JSON.stringify(r));
  }
  await stream.next((e: DeskEvent) => e.type === 'session-updated' && e.session.id === sessionId);
  const rotated = await web.secrets.get(sessionId);
  const current = rotated.kind === 'found' ? rotated.secret.refreshToken : '';
  recordSecrets(current);
  refreshTokens.push(current);
  answered.push(stream.text());
  stream.close();
  const all = answered.join('\n');
  for (const token of [refreshToken, current]) assert.ok(token.length > 0 && !all.includes(token), 'no answer or event carries a refresh token');
  const after = await state();
  assert.notDeepEqual(after, before, 'the refresh did change the session (so the comparison can see a change)');
});

test('an oversized body: 413 unread (declared or streamed), and nothing changed', async () => {
  await setup();
  const before = await state();
  const huge = JSON.stringify({ profile: { name: 'big', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, extraParams: { pad: 'x'.repeat(2 * 1024 * 1024) } } });
  const res = await post(web.origin, 'addProfile', JSON.parse(huge), cookie);
  assert.equal(res.status, 413);
  await text(res);
  const chunked = await rawRequest(web.server.port, {
    method: 'POST', path: '/api/addProfile',
    headers: { cookie, origin: web.origin, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: huge,
  });
  assert.equal(chunked.status, 413, 'a chunked body without a length is cut off as it grows');
  assert.deepEqual(await state(), before, 'nothing changed');
});

test('only POST for operations, only GET for files and the stream; unknown operations 404; malformed JSON 400; the API\'s schema answers the rest', async () => {
  await setup();
  const before = await state();
  const get = await fetch(`${web.origin}/api/listSessions`, { headers: { cookie } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  await text(get);
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    const res = await fetch(`${web.origin}/api/signOut`, { method, headers: { cookie, origin: web.origin, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });
    assert.equal(res.status, 405, method);
    await text(res);
  }
  const postFile = await fetch(`${web.origin}/index.html`, { method: 'POST', headers: { cookie, origin: web.origin } });
  assert.equal(postFile.status, 405);
  assert.equal(postFile.headers.get('allow'), 'GET');
  await text(postFile);
  const postEvents = await fetch(`${web.origin}/api/events`, { method: 'POST', headers: { cookie, origin: web.origin } });
  assert.equal(postEvents.status, 405);
  await text(postEvents);
  for (const name of ['subscribe', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'ListSessions', 'listSessions/', 'listSessions%00', '', 'deliverCallback', 'close']) {
    const res = await post(web.origin, name, null, cookie);
    assert.equal(res.status, 404, `operation "${name}"`);
    await text(res);
  }
  const bad = await fetch(`${web.origin}/api/listSessions`, { method: 'POST', headers: { cookie, origin: web.origin, 'content-type': 'application/json' }, body: '{"' });
  assert.equal(bad.status, 400);
  await text(bad);
  const empty = await fetch(`${web.origin}/api/listSessions`, { method: 'POST', headers: { cookie, origin: web.origin, 'content-type': 'application/json' }, body: '' });
  assert.equal(empty.status, 400, 'no body is not JSON null');
  await text(empty);
  const extra = await callApi(web.origin, 'getSession', { sessionId, pasted: 'eyJhbGciOi.secret-looking' }, cookie);
  assert.equal(extra.ok ? 'ok' : extra.error.code, 'USAGE', 'the API\'s schema refuses an unknown field');
  assert.ok(!JSON.stringify(extra).includes('secret-looking'), 'and does not repeat it');
  const wrongType = await callApi(web.origin, 'signOut', { sessionId: [sessionId] }, cookie);
  assert.equal(wrongType.ok ? 'ok' : wrongType.error.code, 'USAGE');
  assert.deepEqual(await state(), before, 'nothing changed');
});

test('files: only from the renderer\'s directory (no traversal, no link out), index.html gets the client script first, the unbuilt renderer gets a page that says how to build it', async () => {
  await setup();
  const renderer = await mkdtemp(join(tmpdir(), 'oidc-desk-renderer-'));
  const secretDir = await mkdtemp(join(tmpdir(), 'oidc-desk-secret-'));
  await writeFile(join(secretDir, 'secret.txt'), 'not for the page');
  const local = await startTestWeb({ rendererDir: join(renderer, 'missing') });
  try {
    const c = await connect(local.server);
    const notBuilt = await fetch(`${local.origin}/`, { headers: { cookie: c } });
    assert.equal(notBuilt.status, 200);
    const page = await text(notBuilt);
    assert.match(page, /npm run build/);
    assert.match(page, /<script src="\/oidc-desk-client.js"><\/script>/, 'window.oidcDesk works on it too');
    assertSecurityHeaders(notBuilt.headers, 'the not-built page');
  } finally {
    await local.close();
  }
  await writeFile(join(renderer, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><title>x</title><link rel="stylesheet" href="./assets/app.css"><script type="module" crossorigin src="./assets/app.js"></script></head><body><div id="root"></div></body></html>');
  await mkdir(join(renderer, 'assets'));
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(renderer, 'assets', 'app.css'), 'body{}');
  await symlink(join(secretDir, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
  await symlink(secretDir, join(renderer, 'out'));
  const served = await startTestWeb({ rendererDir: renderer });
  try {
    const c = await connect(served.server);
    const index = await fetch(`${served.origin}/`, { headers: { cookie: c } });
    const html = await text(index);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    const tag = html.indexOf('<script src="/oidc-desk-client.js"></script>');
    assert.ok(tag > 0 && tag < html.indexOf('<script type="module"'), 'the client script comes before the renderer\'s');
    const js = await fetch(`${served.origin}/assets/app.js`, { headers: { cookie: c } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await text(js), 'console.log(1);');
    const css = await fetch(`${served.origin}/assets/app.css`, { headers: { cookie: c } });
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    await text(css);
    for (const path of ['/assets/link.txt', '/out/secret.txt', '/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets%5c..%5c..%5cpackage.json', '/index.html%00.js', '/assets/', '/%']) {
      const res = await rawRequest(served.server.port, { path, headers: { cookie: c } });
      assert.equal(res.status, 404, path);
      assert.ok(!res.body.includes('not for the page') && !res.body.includes('"name": "oidc-desk"'), path);
    }
  } finally {
    await served.close();
  }
});

test('no answer or event of any test in this file carried a refresh token', async () => {
  await setup();
  const last = await web.secrets.get(sessionId);
  if (last.kind === 'found') refreshTokens.push(last.secret.refreshToken);
  const all = `${everythingAnswered()}\n${answered.join('\n')}`;
  assert.ok(all.length > 10_000, 'the answers were collected');
  for (const token of refreshTokens) assert.ok(token.length > 0 && !all.includes(token), 'no refresh token in any answer');
});
