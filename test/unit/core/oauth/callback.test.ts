import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import type { AuthorizationServer, Client } from 'oauth4webapi';
import { CallbackRouter, MAX_CALLBACK_URL_LENGTH, carriesState, type RoutableFlow } from '../../../../src-main/core/oauth/callback.ts';
import { issProblem } from '../../../../src-main/core/oauth/oauth-errors.ts';
import { PendingFlows } from '../../../../src-main/core/oauth/pending.ts';
import type { DeskError } from '../../../../src-main/core/errors.ts';

const metadata: AuthorizationServer = { issuer: 'https://idp.example.com', authorization_response_iss_parameter_supported: true };
const client: Client = { client_id: 'c1' };

function setup(redirectUri = 'dev.oidcdesk:/callback') {
  const pending = new PendingFlows<RoutableFlow>();
  const completed: URLSearchParams[] = [];
  const failed: DeskError[] = [];
  const flow: RoutableFlow = {
    kind: 'authorization',
    state: 'S1',
    signal: new AbortController().signal,
    redirectUri,
    metadata,
    client,
    complete: async (p) => void completed.push(p),
    fail: (e) => void failed.push(e),
  };
  pending.add(flow);
  const router = new CallbackRouter(pending, () => ['dev.oidcdesk']);
  return { pending, router, completed, failed };
}

const iss = encodeURIComponent(metadata.issuer);

test('a valid callback completes its flow exactly once; a replay finds nothing', async () => {
  const { router, completed } = setup();
  const url = `dev.oidcdesk:/callback?code=C&state=S1&iss=${iss}`;
  await router.handle(url);
  assert.equal(completed.length, 1);
  assert.equal(completed[0]?.get('code'), 'C');
  await assert.rejects(router.handle(url), { code: 'CALLBACK_STATE_UNKNOWN' });
  assert.equal(completed.length, 1);
});

test('missing and wrong state are refused and do not consume the flow', async () => {
  const { router, pending, completed } = setup();
  await assert.rejects(router.handle(`dev.oidcdesk:/callback?code=C&iss=${iss}`), { code: 'CALLBACK_STATE_MISSING' });
  await assert.rejects(router.handle(`dev.oidcdesk:/callback?code=C&state=WRONG&iss=${iss}`), { code: 'CALLBACK_STATE_UNKNOWN' });
  assert.equal(pending.has('S1'), true);
  assert.equal(completed.length, 0);
});

test('iss different or missing (server announces RFC 9207) is refused and the flow discarded', async () => {
  for (const query of [`code=C&state=S1&iss=${encodeURIComponent('https://evil.example.com')}`, 'code=C&state=S1']) {
    const { router, pending, completed, failed } = setup();
    await assert.rejects(router.handle(`dev.oidcdesk:/callback?${query}`), { code: 'CALLBACK_ISS_MISMATCH' });
    assert.equal(pending.has('S1'), false);
    assert.equal(completed.length, 0);
    assert.equal(failed[0]?.code, 'CALLBACK_ISS_MISMATCH');
  }
});

test('error=access_denied becomes "sign-in cancelled" and clears the flow', async () => {
  const { router, pending, failed } = setup();
  await assert.rejects(router.handle(`dev.oidcdesk:/callback?error=access_denied&error_description=%3Cimg%20src%3Dx%3E&state=S1&iss=${iss}`), { code: 'SIGN_IN_CANCELLED' });
  assert.equal(pending.has('S1'), false);
  assert.equal(failed[0]?.oauthErrorDescription, '<img src=x>');
});

test('oversized, badly encoded, foreign-scheme and non-string input is refused before parameters are read', async () => {
  const { router, pending } = setup();
  const long = `dev.oidcdesk:/callback?state=S1&iss=${iss}&pad=${'a'.repeat(MAX_CALLBACK_URL_LENGTH)}`;
  await assert.rejects(router.handle(long), { code: 'CALLBACK_TOO_LARGE' });
  await assert.rejects(router.handle(`dev.oidcdesk:/callback?code=%E0%A4%A&state=S1&iss=${iss}`), { code: 'CALLBACK_MALFORMED' });
  await assert.rejects(router.handle('javascript:alert(1)//?state=S1'), { code: 'CALLBACK_FOREIGN_SCHEME' });
  await assert.rejects(router.handle('file:///etc/passwd?state=S1'), { code: 'CALLBACK_FOREIGN_SCHEME' });
  await assert.rejects(router.handle('http://evil.example.com/callback?state=S1'), { code: 'CALLBACK_FOREIGN_SCHEME' });
  await assert.rejects(router.handle(42), { code: 'CALLBACK_MALFORMED' });
  await assert.rejects(router.handle(`dev.oidcdesk:/callback?state=S1&state=S2&iss=${iss}`), { code: 'CALLBACK_MALFORMED' });
  assert.equal(pending.has('S1'), true, 'none of these consumed the flow');
});

test('a callback on another redirect path is refused', async () => {
  const { router, completed } = setup();
  await assert.rejects(router.handle(`dev.oidcdesk:/other?code=C&state=S1&iss=${iss}`), { code: 'CALLBACK_INVALID' });
  assert.equal(completed.length, 0);
});

test('carriesState: exactly one state equal to the pending one, nothing else', () => {
  const state = 'S1-abcdefghijklmnopqrstuvwxyz_0123456789';
  const base = 'http://127.0.0.1:5000/callback';
  assert.equal(carriesState(`${base}?code=C&state=${state}`, state), true);
  assert.equal(carriesState(`${base}?state=${state}&code=C&iss=x`, state), true);
  assert.equal(carriesState(`${base}?error=access_denied&state=${state}`, state), true);
  for (const url of [
    base,
    `${base}?`,
    `${base}?code=C`,
    `${base}?error=access_denied`,
    `${base}?code=C&state=`,
    `${base}?code=C&state=${state}x`,
    `${base}?code=C&state=${state.slice(1)}`,
    `${base}?code=C&STATE=${state}`,
    `${base}?code=C&state=${state}&state=${state}`,
    `${base}?code=C&state=other&state=${state}`,
    `${base}#state=${state}`,
    `${base}?code=C#state=${state}`,
  ]) {
    assert.equal(carriesState(url, state), false, url);
  }
  assert.equal(carriesState(`${base}?state=`, ''), false, 'an empty expected state never matches');
});

test('a callback carrying tokens (implicit or hybrid response), in the query or in the fragment, is refused and fails its flow before any exchange', async () => {
  for (const name of ['access_token', 'id_token', 'token_type', 'token', 'refresh_token']) {
    for (const where of ['query', 'fragment', 'fragment-only'] as const) {
      const { router, pending, completed, failed } = setup();
      const url = where === 'query'
        ? `dev.oidcdesk:/callback?code=C&state=S1&iss=${iss}&${name}=X`
        : where === 'fragment'
          ? `dev.oidcdesk:/callback?code=C&state=S1&iss=${iss}#${name}=X`
          : `dev.oidcdesk:/callback#${name}=X&state=S1&iss=${iss}`;
      await assert.rejects(router.handle(url), { code: 'CALLBACK_INVALID' }, `${name} in the ${where}`);
      assert.equal(completed.length, 0, `${name} in the ${where}: no code exchange`);
      assert.equal(pending.has('S1'), false, `${name} in the ${where}: the flow is discarded`);
      assert.equal(failed[0]?.code, 'CALLBACK_INVALID', `${name} in the ${where}: the flow was told`);
    }
  }
});

test('tokens in the URL without any state are refused without touching a flow', async () => {
  const { router, pending, completed } = setup();
  await assert.rejects(router.handle('dev.oidcdesk:/callback#access_token=X&token_type=Bearer'), { code: 'CALLBACK_INVALID' });
  await assert.rejects(router.handle('dev.oidcdesk:/callback?id_token=X'), { code: 'CALLBACK_INVALID' });
  assert.equal(pending.has('S1'), true);
  assert.equal(completed.length, 0);
});

test('a repeated iss (RFC 6749 §3.1: a parameter at most once) is a malformed callback, not a mix-up, and fails its flow', async () => {
  for (const query of [`code=C&state=S1&iss=${iss}&iss=${iss}`, `code=C&state=S1&iss=${iss}&iss=${encodeURIComponent('https://evil.example.com')}`, `code=C&code=D&state=S1&iss=${iss}`]) {
    const { router, pending, completed, failed } = setup();
    await assert.rejects(router.handle(`dev.oidcdesk:/callback?${query}`), { code: 'CALLBACK_MALFORMED' }, query);
    assert.equal(pending.has('S1'), false, query);
    assert.equal(completed.length, 0, query);
    assert.equal(failed[0]?.code, 'CALLBACK_MALFORMED', query);
  }
});

/** What oauth4webapi's validateAuthResponse throws for these parameters (it must throw). */
function refusal(as: AuthorizationServer, query: string, state = 'S1'): unknown {
  try {
    oauth.validateAuthResponse(as, client, new URLSearchParams(query), state);
  } catch (error) {
    return error;
  }
  return assert.fail(`validateAuthResponse accepted ${query}`);
}

test('issProblem reads the iss refusals of oauth4webapi by code and cause: missing, different, or none of them', () => {
  const silent: AuthorizationServer = { issuer: metadata.issuer };
  assert.equal(issProblem(refusal(metadata, 'code=C&state=S1'), metadata), 'missing');
  assert.equal(issProblem(refusal(metadata, 'code=C&state=S1&iss='), metadata), 'missing');
  assert.equal(issProblem(refusal(metadata, 'code=C&state=S1&iss=https%3A%2F%2Fevil.example.com'), metadata), 'different');
  assert.equal(issProblem(refusal(silent, 'code=C&state=S1&iss=https%3A%2F%2Fevil.example.com'), silent), 'different', 'a wrong iss is refused even when RFC 9207 is not announced');
  // Refusals that are not about the issuer, although some name it.
  assert.equal(issProblem(refusal(metadata, `code=C&state=S1&iss=${iss}&iss=${iss}`), metadata), undefined, 'a repeated iss');
  assert.equal(issProblem(refusal(metadata, `code=C&state=WRONG&iss=${iss}`), metadata), undefined, 'a wrong state');
  assert.equal(issProblem(refusal(metadata, 'response=eyJ&state=S1'), metadata), undefined, 'a JARM response');
  assert.equal(issProblem(refusal(metadata, `code=C&iss=${iss}`, 'S1'), metadata), undefined, 'a missing state');
  assert.equal(issProblem(new Error('unexpected "iss" (issuer) response parameter value'), metadata), undefined, 'not an oauth4webapi refusal');
});

test('issProblem never reads the message: the same code and cause under other words are the same problem', () => {
  const parameters = new URLSearchParams('code=C&state=S1&iss=https%3A%2F%2Fevil.example.com');
  const reworded = new oauth.OperationProcessingError('issuer mismatch', { code: oauth.INVALID_RESPONSE, cause: { expected: metadata.issuer, parameters } });
  assert.equal(issProblem(reworded, metadata), 'different');
  const missing = new oauth.OperationProcessingError('no issuer', { code: oauth.INVALID_RESPONSE, cause: { parameters: new URLSearchParams('code=C&state=S1') } });
  assert.equal(issProblem(missing, metadata), 'missing');
  const otherCode = new oauth.OperationProcessingError('unexpected "iss" (issuer) response parameter value', { code: oauth.JSON_ATTRIBUTE_COMPARISON, cause: { expected: metadata.issuer, parameters } });
  assert.equal(issProblem(otherCode, metadata), undefined, 'another code is another problem, whatever the words');
});
