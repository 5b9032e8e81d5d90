/** The first-run path through the API: ensureDemoProvider starts the embedded demo provider on demand and points the ready-made "demo" profile at it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoProviderPort } from '../../src-main/cli/demo.ts';
import { openDesk } from '../../src-main/core/desk.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import { stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';

test('ensureDemoProvider starts the demo provider and makes the demo profile; a second call reuses both', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-api-'));
  const desk = await openDesk({ dataDir, secrets: new MemorySecretStore(), demo: demoProviderPort(dataDir, { ...process.env, OIDC_DESK_DEMO_IDP_PORT: '0' }) });
  try {
    const before = await desk.api.demoProvider();
    assert.deepEqual(before, { ok: true, value: { running: false, issuer: null, pid: null } });
    const first = await desk.api.ensureDemoProvider();
    assert.ok(first.ok, first.ok ? '' : first.error.message);
    if (!first.ok) return;
    assert.equal(first.value.provider.running, true);
    assert.equal(first.value.profile.name, 'demo');
    assert.equal(first.value.profile.issuer, first.value.provider.issuer);
    const again = await desk.api.ensureDemoProvider();
    assert.deepEqual(again, first, 'the same provider and profile');
    const state = await desk.api.demoProvider();
    assert.equal(state.ok && state.value.running, true);
  } finally {
    desk.close();
    await stopDemoProvider({ dataDir });
  }
});
