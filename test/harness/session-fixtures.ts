/** Data directories prepared without a sign-in: an index listing many sessions (no keychain entry, no token), for listing tests and start-up measurements. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionIndexStore, type SessionRecord } from '../../src-main/core/store/session-index.ts';

const ISSUER = 'https://dev-123.okta.com/oauth2/default';

/** A new private data directory whose `sessions.json` lists `count` active sessions of one Okta-like issuer. */
export async function dataDirWithSessions(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-sessions-'));
  const now = Date.now();
  const sessions: SessionRecord[] = Array.from({ length: count }, (_, i) => ({
    id: `s-${i.toString(16).padStart(8, '0')}`, profile: `p${i % 7}`, issuer: ISSUER, clientId: '0oa1b2c3d4',
    allowHttpLoopback: false, subject: `user-${i}`, displayName: `User ${i}`, scopes: ['openid', 'profile', 'offline_access'],
    createdAt: now - i * 60_000, updatedAt: now, accessTokenExpiresAt: now + 3_600_000, status: 'active', hasRefreshToken: true,
    binding: { iss: ISSUER, sub: `user-${i}`, aud: ['0oa1b2c3d4'], authTime: Math.floor(now / 1000) - 600 },
  }));
  await sessionIndexStore(dir, Date.now).update((doc) => ({ ...doc, sessions }));
  return dir;
}
