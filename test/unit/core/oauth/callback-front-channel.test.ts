/**
 * The callback router with the implicit and hybrid flows: a response in the fragment of a deep link or in
 * a form post reaches only a flow that expects it there, taken once by its state; a code flow's response in
 * the fragment stays refused, and a front-channel flow's response in the query is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationServer, Client } from 'oauth4webapi';
import { CallbackRouter, MAX_FORM_POST_BYTES, paramsCarryState, type RoutableFlow } from '../../../../src-main/core/oauth/callback.ts';
import { validateFrontChannelResponse } from '../../../../src-main/core/oauth/front-channel.ts';
import { PendingFlows } from '../../../../src-main/core/oauth/pending.ts';
import type { DeskError } from '../../../../src-main/core/errors.ts';
import type { FrontChannelResponseType } from '../../../../src-main/core/front-channel-flows.ts';

const metadata: AuthorizationServer = { issuer: 'https://idp.example.com', authorization_response_iss_parameter_supported: true };
const client: Client = { client_id: 'c1' };
const iss = encodeURIComponent(metadata.issuer);
const LOOPBACK = 'http://127.0.0.1:5555/callback';

function setup(mode: RoutableFlow['responseMode'], options: { responseType?: FrontChannelResponseType; redirectUri?: string } = {}) {
  const pending = new PendingFlows<RoutableFlow>();
  const completed: URLSearchParams[] = [];
  const failed: DeskError[] = [];
  const responseType = options.responseType ?? 'id_token token';
  const flow: RoutableFlow = {
    kind: 'authorization',
    state: 'S1',
    signal: new AbortController().signal,
    redirectUri: options.redirectUri ?? (mode === 'form_post' ? LOOPBACK : 'dev.oidcdesk:/callback'),
    metadata,
    client,
    ...(mode === undefined ? {} : { responseMode: mode }),
    ...(mode === 'fragment' || mode === 'form_post' ? { validateFrontChannel: (p: URLSearchParams, s: string) => validateFrontChannelResponse(metadata, client, p, s, responseType) } : {}),
    complete: async (p) => void completed.push(p),
    fail: (e) => void failed.push(e),
  };
  pending.add(flow);
  const router = new CallbackRouter(pending, () => ['dev.oidcdesk']);
  return { pending, router, completed, failed };
}

const TOKENS = 'access_token=AT-1&token_type=Bearer&expires_in=300&id_token=a.b.c';

test('a fragment response reaches its fragment flow once, tokens and all; a replay finds nothing', async () => {
  const { router, completed, pending } = setup('fragment');
  const url = `dev.oidcdesk:/callback#${TOKENS}&state=S1`;
  await router.handle(url);
  assert.equal(completed.length, 1);
  assert.deepEqual([completed[0]?.get('access_token'), completed[0]?.get('id_token'), completed[0]?.get('token_type')], ['AT-1', 'a.b.c', 'Bearer']);
  assert.equal(pending.has('S1'), false);
  await assert.rejects(router.handle(url), { code: 'CALLBACK_INVALID' }, 'the flow is gone: tokens with no flow waiting for them are refused');
  assert.equal(completed.length, 1);
});

test('a code flow\'s response in the fragment is refused as before: it never reaches the flow', async () => {
  const { router, completed, pending, failed } = setup(undefined);
  await assert.rejects(router.handle(`dev.oidcdesk:/callback#code=C&state=S1&iss=${iss}`), { code: 'CALLBACK_STATE_MISSING' });
  assert.equal(pending.has('S1'), true, 'a fragment does not find a flow that reads the query');
  await assert.rejects(router.handle(`dev.oidcdesk:/callback#${TOKENS}&state=S1`), { code: 'CALLBACK_INVALID' });
  assert.equal(completed.length, 0);
  assert.equal(failed[0]?.code, 'CALLBACK_INVALID', 'tokens in the fragment end the code flow\'s sign-in, as before');
});

test('a front-channel flow\'s response in the query is refused and ends the flow; a query beside the fragment too', async () => {
  for (const url of [`dev.oidcdesk:/callback?${TOKENS}&state=S1`, `dev.oidcdesk:/callback?error=access_denied&state=S1&iss=${iss}`, `dev.oidcdesk:/callback?x=1#${TOKENS}&state=S1`]) {
    const { router, completed, failed } = setup('fragment');
    await assert.rejects(router.handle(url), { code: 'CALLBACK_INVALID' }, url);
    assert.equal(completed.length, 0);
    assert.equal(failed.length, 1);
  }
});

test('in the fragment: an error with the state cancels, a wrong iss is refused, bad encoding and repeats are refused', async () => {
  const denied = setup('fragment');
  await assert.rejects(denied.router.handle(`dev.oidcdesk:/callback#error=access_denied&state=S1&iss=${iss}`), { code: 'SIGN_IN_CANCELLED' });
  assert.equal(denied.failed[0]?.code, 'SIGN_IN_CANCELLED');

  const foreign = setup('fragment');
  await assert.rejects(foreign.router.handle(`dev.oidcdesk:/callback#${TOKENS}&state=S1&iss=${encodeURIComponent('https://evil.example.com')}`), { code: 'CALLBACK_ISS_MISMATCH' });

  const encoded = setup('fragment');
  await assert.rejects(encoded.router.handle(`dev.oidcdesk:/callback#${TOKENS}&state=S1&x=%E0%A4%A`), { code: 'CALLBACK_MALFORMED' });
  assert.equal(encoded.pending.has('S1'), true, 'refused before the flow is taken');

  const repeated = setup('fragment');
  await assert.rejects(repeated.router.handle(`dev.oidcdesk:/callback#${TOKENS}&access_token=AT-2&state=S1`), { code: 'CALLBACK_MALFORMED' });
  assert.equal(repeated.completed.length, 0);
});

test('the response must hold exactly what its response type asks for', async () => {
  const cases: [FrontChannelResponseType, string][] = [
    ['id_token token', 'id_token=a.b.c&state=S1'],
    ['id_token token', `access_token=AT&token_type=Bearer&state=S1&iss=${iss}`],
    ['id_token token', 'access_token=AT&id_token=a.b.c&state=S1'],
    ['id_token token', 'access_token=AT&token_type=DPoP&id_token=a.b.c&state=S1'],
    ['id_token', `${TOKENS}&state=S1`],
    ['id_token', 'id_token=a.b.c&code=C&state=S1'],
    ['code id_token', `code=C&state=S1&iss=${iss}`],
    ['code id_token', 'id_token=a.b.c&state=S1'],
    ['code token', 'code=C&id_token=a.b.c&access_token=AT&token_type=Bearer&state=S1'],
  ];
  for (const [responseType, fragment] of cases) {
    const { router, completed, failed } = setup('fragment', { responseType });
    await assert.rejects(router.handle(`dev.oidcdesk:/callback#${fragment}`), { code: 'CALLBACK_INVALID' }, `${responseType}: ${fragment}`);
    assert.equal(completed.length, 0);
    assert.equal(failed.length, 1);
  }
  const { router, completed } = setup('fragment', { responseType: 'code token' });
  await router.handle(`dev.oidcdesk:/callback#code=C&access_token=AT&token_type=bearer&state=S1&iss=${iss}`);
  assert.equal(completed[0]?.get('code'), 'C', 'code token, with iss (no ID token came): accepted');
});

test('no ID token in the response: RFC 9207 iss is required as in the code flow', async () => {
  const { router, failed } = setup('fragment', { responseType: 'code token' });
  await assert.rejects(router.handle('dev.oidcdesk:/callback#code=C&access_token=AT&token_type=Bearer&state=S1'), { code: 'CALLBACK_ISS_MISMATCH' });
  assert.equal(failed[0]?.code, 'CALLBACK_ISS_MISMATCH');
});

test('a form post reaches only a form-post flow, once, by its state', async () => {
  const { router, completed } = setup('form_post');
  await router.handleFormPost(LOOPBACK, `${TOKENS}&state=S1`);
  assert.equal(completed[0]?.get('access_token'), 'AT-1');
  await assert.rejects(router.handleFormPost(LOOPBACK, `${TOKENS}&state=S1`), { code: 'CALLBACK_STATE_UNKNOWN' });

  const query = setup(undefined, { redirectUri: LOOPBACK });
  await assert.rejects(query.router.handleFormPost(LOOPBACK, 'code=C&state=S1'), { code: 'CALLBACK_STATE_UNKNOWN' });
  assert.equal(query.pending.has('S1'), true, 'a form post does not take (nor end) a flow that reads the query');

  const fragment = setup('fragment');
  await assert.rejects(fragment.router.handleFormPost(LOOPBACK, `${TOKENS}&state=S1`), { code: 'CALLBACK_STATE_UNKNOWN' });
  assert.equal(fragment.pending.has('S1'), true);

  const denied = setup('form_post');
  await assert.rejects(denied.router.handleFormPost(LOOPBACK, `error=access_denied&state=S1&iss=${iss}`), { code: 'SIGN_IN_CANCELLED' });
  assert.equal(denied.failed[0]?.code, 'SIGN_IN_CANCELLED', 'an error posted with the state ends the sign-in as cancelled');
});

test('form posts refused before the flow is taken: no state, a repeated state, bad encoding, too large, not loopback', async () => {
  const { router, pending, completed } = setup('form_post');
  await assert.rejects(router.handleFormPost(LOOPBACK, TOKENS), { code: 'CALLBACK_STATE_MISSING' });
  await assert.rejects(router.handleFormPost(LOOPBACK, `${TOKENS}&state=S1&state=S1`), { code: 'CALLBACK_MALFORMED' });
  await assert.rejects(router.handleFormPost(LOOPBACK, `${TOKENS}&state=S1&x=%zz`), { code: 'CALLBACK_MALFORMED' });
  await assert.rejects(router.handleFormPost(LOOPBACK, `state=S1&pad=${'a'.repeat(MAX_FORM_POST_BYTES)}`), { code: 'CALLBACK_TOO_LARGE' });
  await assert.rejects(router.handleFormPost('http://evil.example.com/callback', `${TOKENS}&state=S1`), { code: 'CALLBACK_FOREIGN_SCHEME' });
  await assert.rejects(router.handleFormPost(LOOPBACK, undefined), { code: 'CALLBACK_MALFORMED' });
  assert.equal(pending.has('S1'), true);
  assert.equal(completed.length, 0);
  // On another path than the flow's redirect URI: taken and refused (the state was right).
  await assert.rejects(router.handleFormPost('http://127.0.0.1:5555/other', `${TOKENS}&state=S1`), { code: 'CALLBACK_INVALID' });
  assert.equal(pending.has('S1'), false);
});

test('paramsCarryState: exactly one state, equal to the pending one', () => {
  assert.equal(paramsCarryState(new URLSearchParams('state=S1&a=b'), 'S1'), true);
  assert.equal(paramsCarryState(new URLSearchParams('state=S1&state=S1'), 'S1'), false);
  assert.equal(paramsCarryState(new URLSearchParams('state=S2'), 'S1'), false);
  assert.equal(paramsCarryState(new URLSearchParams(''), 'S1'), false);
  assert.equal(paramsCarryState(new URLSearchParams('state='), ''), false);
});
