/**
 * A token goes only to the issuer and client it was issued for: the data directory is not trusted to say
 * where secrets go. An index edited to name another provider makes every refresh, userinfo call,
 * revocation and owed revocation send nothing there and report the mismatch; a revocation the provider
 * refuses is reported as refused, never as "nothing to revoke".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHostileIdp, type HostileIdp } from '../harness/hostile-idp.ts';
import { anotherProcess, refreshedBody, setup } from '../harness/hostile-session.ts';

/** Rewrites sessions.json the way another program could. */
async function editIndex(dataDir: string, edit: (doc: { sessions: Record<string, unknown>[]; revocations: Record<string, unknown>[] }) => void): Promise<void> {
  const path = join(dataDir, 'sessions.json');
  const doc = JSON.parse(await readFile(path, 'utf8')) as { sessions: Record<string, unknown>[]; revocations: Record<string, unknown>[] };
  edit(doc);
  await writeFile(path, JSON.stringify(doc));
}

/** A provider that must never hear from us: it counts every request and answers everything. */
async function bystander(): Promise<HostileIdp> {
  return startHostileIdp({
    token: async (_form, self) => refreshedBody(self, {}),
    userinfo: () => ({ json: { sub: 'alice' } }),
    revocation: () => ({ status: 200, body: '' }),
  });
}

function requestsTo(idp: HostileIdp): number {
  return Object.values(idp.counts).reduce((a, b) => a + b, 0);
}

for (const field of ['issuer', 'clientId'] as const) {
  test(`the index names another ${field} for a session: refresh, userinfo and sign-out send nothing anywhere and report it`, async () => {
    const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), { userinfo: () => ({ json: { sub: 'alice' } }), revocation: () => ({ status: 200, body: '' }) });
    const evil = await bystander();
    try {
      await editIndex(service.dataDir, (doc) => {
        doc.sessions[0]![field] = field === 'issuer' ? evil.issuer : 'another-client';
      });
      const before = { ...idp.counts };
      const next = await anotherProcess(service, secrets);
      await assert.rejects(next.refresh(view.id), { code: 'SESSION_BINDING_MISMATCH' });
      await assert.rejects(next.accessToken(view.id, 10_000), { code: 'SESSION_BINDING_MISMATCH' });
      await assert.rejects(next.userinfo(view.id), { code: 'SESSION_BINDING_MISMATCH' });
      // The process that signed in holds the tokens in memory: once it sees the edited index, it refuses too.
      await service.reload();
      await assert.rejects(service.userinfo(view.id), { code: 'SESSION_BINDING_MISMATCH' });
      const out = await next.signOut(view.id);
      assert.equal(out.revoked, false);
      assert.equal(out.revocationError?.code, 'SESSION_BINDING_MISMATCH', 'the sign-out says the token was not revoked, and why');
      assert.equal(out.tokens.refresh, 'refused');
      assert.equal(requestsTo(evil), 0, 'nothing reached the provider named by the edited index');
      assert.deepEqual(idp.counts, before, 'nothing was sent to the real provider either (the client id in the index is not trusted)');
      assert.equal((await secrets.get(view.id)).kind, 'absent', 'the local sign-out still completed');
    } finally {
      await idp.stop();
      await evil.stop();
    }
  });
}

test('an owed revocation whose index entry names another provider is not sent, and is reported', async () => {
  let reachable = false;
  const revoked: string[] = [];
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), {
    revocation: (form) => {
      if (!reachable) return 'hang';
      revoked.push(form.get('token') ?? '');
      return { status: 200, body: '' };
    },
  });
  const evil = await bystander();
  try {
    const out = await service.signOut(view.id);
    assert.equal(out.revocationPending, true);
    await editIndex(service.dataDir, (doc) => {
      doc.revocations[0]!['issuer'] = evil.issuer;
    });
    reachable = true;
    const next = await anotherProcess(service, secrets);
    const retry = await next.retryRevocations();
    assert.equal(retry.problems[0]?.code, 'SESSION_BINDING_MISMATCH');
    assert.equal(retry.pending, 1, 'kept: the token is not thrown away either');
    assert.equal(requestsTo(evil), 0);
    assert.deepEqual(revoked, []);
  } finally {
    await idp.stop();
    await evil.stop();
  }
});

test('a revocation the provider refuses (401 to a public client) is reported as refused, for each token', async () => {
  const { idp, service, view } = await setup((self) => refreshedBody(self, {}), {
    revocation: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="glewlwyd"' }, body: '' }),
  });
  try {
    const out = await service.signOut(view.id);
    assert.equal(out.revoked, false);
    assert.equal(out.revocationPending, false);
    assert.deepEqual(out.tokens, { refresh: 'refused', access: 'refused' }, 'both tokens were tried and refused');
    assert.equal(out.revocationError?.code, 'REVOCATION_FAILED');
    assert.equal(out.revocationError?.status, 401);
    assert.equal(idp.counts['/revoke'], 2);
  } finally {
    await idp.stop();
  }
});

test('sign-out decides on the index as it is inside the lock: an issuer planted in the copy a process read at start gets nothing', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), { revocation: () => ({ status: 200, body: '' }) });
  const evil = await bystander();
  try {
    const original = await readFile(join(service.dataDir, 'sessions.json'), 'utf8');
    await editIndex(service.dataDir, (doc) => {
      doc.sessions[0]!['issuer'] = evil.issuer;
    });
    const stale = await anotherProcess(service, secrets);
    await writeFile(join(service.dataDir, 'sessions.json'), original);
    const out = await stale.signOut(view.id);
    assert.equal(requestsTo(evil), 0, 'the planted issuer received nothing');
    assert.equal(out.tokens.refresh, 'revoked', 'revoked where the keychain entry says it was issued');
    assert.ok((idp.counts['/revoke'] ?? 0) >= 1);
  } finally {
    await idp.stop();
    await evil.stop();
  }
});

test('sign-out when the keychain cannot be read: the session goes, and the token is reported as not revoked (never "nothing to revoke")', async () => {
  const { idp, service, secrets, view } = await setup((self) => refreshedBody(self, {}), { revocation: () => ({ status: 200, body: '' }) });
  try {
    secrets.putRaw(view.id, JSON.stringify({ v: 7, future: true }));
    const next = await anotherProcess(service, secrets);
    const out = await next.signOut(view.id);
    assert.equal(out.tokens.refresh, 'refused');
    assert.equal(out.revocationError?.code, 'KEYCHAIN_FAILED');
    assert.throws(() => next.view(view.id), { code: 'SESSION_NOT_FOUND' });
  } finally {
    await idp.stop();
  }
});
