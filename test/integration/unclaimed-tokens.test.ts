/**
 * A sign-in cancelled after the provider issued its tokens (the code was exchanged, the ID token is being
 * checked): nothing is stored, and the grant is revoked at the provider instead of staying valid with
 * nobody holding it. The small hostile provider approves at once and can hold its JWKS answer, which puts
 * the cancel in that window; its revocation endpoint records what it gets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskEvent, ErrorView, Result } from '../../src-main/core/contract.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { heldGate, startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const revoked: URLSearchParams[] = [];
let issued: string | undefined;
let jwksGate: () => Promise<void> = () => Promise.resolve();

let idp: HostileIdp;
before(async () => {
  idp = await startHostileIdp({
    autoApprove: true,
    token: async (form, self) => {
      issued = `rt-${randomBytes(24).toString('base64url')}`;
      const access = `at-${randomBytes(24).toString('base64url')}`;
      recordSecrets(issued, access);
      const nonce = self.authorizationOf(form.get('code'))?.get('nonce') ?? undefined;
      return { json: { access_token: access, token_type: 'Bearer', expires_in: 300, refresh_token: issued, id_token: await self.signIdToken({ sub: 'late-user', nonce }) } };
    },
    revocation: (form) => {
      revoked.push(form);
      return { status: 200, body: '' };
    },
    jwksGate: () => jwksGate(),
  });
});
after(async () => idp?.stop());

function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

test('the code flow cancelled while its ID token is checked: no session, and the refresh token the provider issued is revoked there', { timeout: 30_000 }, async () => {
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  const desk = await openDesk({ dataDir: await mkdtemp(join(tmpdir(), 'oidc-desk-unclaimed-')), secrets: memory });
  const events: DeskEvent[] = [];
  desk.api.subscribe((e) => void events.push(e));
  const held = heldGate();
  jwksGate = held.gate;
  try {
    value(await desk.api.addProfile({ profile: { name: 'late', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, redirect: 'dev.oidcdesk:/callback', scopes: 'openid offline_access' } }));
    const started = value(await desk.api.startSignIn({ profile: 'late' }));
    assert.ok('authorizationUrl' in started);
    const authorization = new URL(started.authorizationUrl);
    recordSecrets(authorization.searchParams.get('state'), authorization.searchParams.get('nonce'));
    // The browser's part: the provider approves at once and redirects to the app's scheme.
    const response = await fetch(authorization, { redirect: 'manual' });
    const callback = response.headers.get('location') ?? '';
    assert.match(callback, /^dev\.oidcdesk:\/callback\?/);
    const delivered = desk.deliverCallback(callback);
    await held.reached;
    value(await desk.api.cancelSignIn({ flowId: started.flowId }));
    held.release();
    await delivered;
    const ended = events.find((e): e is Extract<DeskEvent, { type: 'sign-in-failed' }> => e.type === 'sign-in-failed' && e.flowId === started.flowId);
    assert.equal((ended?.error as ErrorView | undefined)?.code, 'SIGN_IN_CANCELLED');
    assert.deepEqual(value(await desk.api.listSessions()), [], 'no session was stored');
    assert.equal(events.some((e) => e.type === 'sign-in-completed'), false);
    assert.ok(issued !== undefined, 'the provider issued tokens');
    for (let i = 0; i < 100 && revoked.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(revoked.map((f) => [f.get('token'), f.get('token_type_hint'), f.get('client_id')]), [[issued, 'refresh_token', 'oidc-desk']], 'the refresh token nobody holds was revoked at the provider');
  } finally {
    jwksGate = () => Promise.resolve();
    desk.close();
  }
});
