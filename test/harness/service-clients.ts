/** Confidential clients and a test account for the flows without a browser, on the test provider (test/harness/idp.ts). */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { DemoClient, DemoUser } from './idp.ts';
import { recordSecrets } from './secrets-ledger.ts';

/** A secret for one test run (recorded for the after-run grep). */
export function testSecret(label: string): string {
  const value = `${label}-${randomBytes(18).toString('base64url')}`;
  recordSecrets(value);
  return value;
}

/** A service client (client credentials) with a secret, authenticated by `method`. */
export function serviceClient(clientId: string, secret: string, method: 'client_secret_basic' | 'client_secret_post'): DemoClient {
  return { client_id: clientId, client_secret: secret, token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api:read api:write' };
}

/** A client allowed the (test-only) password grant and refresh; public unless a secret is given. */
export function passwordClient(clientId: string, secret?: string): DemoClient {
  return {
    client_id: clientId, grant_types: ['password', 'refresh_token'], response_types: [], redirect_uris: [],
    ...(secret === undefined ? { token_endpoint_auth_method: 'none' } : { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }),
  };
}

/** A test account whose password is unique to this run (recorded for the after-run grep). */
export function testUser(): DemoUser {
  return { sub: 'user-carol', username: 'carol', password: testSecret('carol-pw'), name: 'Carol Example', email: 'carol@example.com', emailVerified: true };
}

/** A free TCP port on 127.0.0.1 now (for a provider whose issuer must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
