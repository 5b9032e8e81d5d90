/** The demo provider's proof of identity: a route on its own server that signs a fresh nonce, bound to its issuer, with the private key of `<dataDir>/demo-idp/jwks.json`, and the check that verifies it with the public key derived from that same file. */
import { createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createHttpClient, type FetchLike } from '../core/http/client.ts';
import type { JWK } from 'jose';
import type { KoaMiddleware, PrivateJwks } from './provider.ts';

/** Where the demo provider answers the challenge: `GET <issuer>/.well-known/oidc-desk-proof?nonce=<43 base64url characters>`. */
export const PROOF_PATH = '/.well-known/oidc-desk-proof';
/**
 * The proof's JWS `typ`: no other JWT the demo provider signs with the same keys (ID tokens, JWT access
 * tokens, logout tokens) carries it, so none of them can pass for a proof.
 */
export const PROOF_TYP = 'oidc-desk-proof+jwt';
/** A nonce is 32 random bytes in base64url: the route signs nothing else, so it is no general signing service. */
const NONCE = /^[A-Za-z0-9_-]{43}$/;
/** Asymmetric algorithms only: a proof verified with a shared secret would prove nothing. */
const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^EdDSA$|^Ed25519$/;
/** The proof's `iat` may be this old, or this far ahead (the same computer's clock, so seconds at most). */
const MAX_AGE_SECONDS = 60;
/** A proof is a few hundred bytes. */
const MAX_PROOF_BYTES = 16 * 1024;

/** The key the demo provider signs proofs with: its ES256 key (small and fast), else its first asymmetric one. */
function proofKey(jwks: PrivateJwks): JWK & { alg: string; kid: string } {
  const usable = jwks.keys.filter((k): k is JWK & { alg: string; kid: string } => typeof k.alg === 'string' && ASYMMETRIC.test(k.alg) && typeof k.kid === 'string');
  const key = usable.find((k) => k.alg === 'ES256') ?? usable[0];
  if (key === undefined) throw new TypeError('the demo provider has no asymmetric signing key with an alg and a kid');
  return key;
}

/**
 * The proof route for the demo provider's server (Koa middleware, before oidc-provider's routes): answers
 * `GET {@link PROOF_PATH}?nonce=...` with a compact JWS (`typ` {@link PROOF_TYP}) over `{ nonce, iss, iat }`,
 * signed with the demo provider's own key; 400 for a nonce of another form; never cached.
 */
export function demoProofRoute(issuer: string, jwks: PrivateJwks): KoaMiddleware {
  const jwk = proofKey(jwks);
  let signer: Promise<(nonce: string) => Promise<string>> | undefined;
  const sign = (nonce: string): Promise<string> => {
    signer ??= (async () => {
      const { SignJWT, importJWK } = await import('jose');
      const key = await importJWK(jwk, jwk.alg);
      return (n: string) => new SignJWT({ nonce: n }).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: PROOF_TYP }).setIssuer(issuer).setIssuedAt().sign(key);
    })();
    return signer.then((s) => s(nonce));
  };
  return async (ctx, next) => {
    if (ctx.path !== PROOF_PATH) {
      await next();
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET') {
      ctx.status = 405;
      ctx.body = { error: 'invalid_request', error_description: 'GET only' };
      return;
    }
    const nonce = new URL(ctx.req.url ?? '/', issuer).searchParams.getAll('nonce');
    if (nonce.length !== 1 || !NONCE.test(nonce[0] ?? '')) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'nonce must be 32 random bytes in base64url' };
      return;
    }
    ctx.status = 200;
    ctx.type = 'application/jwt';
    ctx.body = await sign(nonce[0] ?? '');
  };
}

/** Options of {@link proveDemoProvider}. */
export interface ProofCheck {
  /** The issuer to challenge, exactly as recorded: `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** The private keys of this data directory's `jwks.json`; only their public halves are used. */
  readonly keys: PrivateJwks;
  /** The transport under the core's HTTP client (default: the global fetch). */
  readonly fetch?: FetchLike;
  /** Default 2 s: the demo provider is on this computer. */
  readonly timeoutMs?: number;
}

/**
 * True when the program at `issuer` proves to be the demo provider holding these keys: it signed a nonce
 * made fresh for this check, with a key of `keys` (verified with the public key derived from the private
 * one, never with a key the program sends), under `typ` {@link PROOF_TYP}, naming exactly `issuer`, within
 * {@link MAX_AGE_SECONDS}. Its discovery document and JWKS are public, so copying them proves nothing; a
 * proof captured earlier has another nonce, and one relayed from the demo provider elsewhere names another
 * issuer. One GET through the core's HTTP client (timeout, size cap, no redirects); nothing else is sent.
 */
export async function proveDemoProvider(check: ProofCheck): Promise<boolean> {
  const nonce = randomBytes(32).toString('base64url');
  const http = createHttpClient({ ...(check.fetch === undefined ? {} : { fetch: check.fetch }), timeoutMs: check.timeoutMs ?? 2000, maxBodyBytes: MAX_PROOF_BYTES });
  let jws: string;
  try {
    const response = await http(`${check.issuer}${PROOF_PATH}?nonce=${nonce}`, { headers: { accept: 'application/jwt' } });
    if (response.status !== 200) return false;
    jws = (await response.text()).trim();
  } catch {
    return false;
  }
  const publicKeys = new Map<string, { alg: string; key: KeyObject }>();
  for (const jwk of check.keys.keys) {
    if (typeof jwk.kid !== 'string' || typeof jwk.alg !== 'string' || !ASYMMETRIC.test(jwk.alg)) continue;
    try {
      // From the private key on disk: the public half is derived here, not taken from anything published.
      publicKeys.set(jwk.kid, { alg: jwk.alg, key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) });
    } catch {
      // a key node cannot read is no key of a proof
    }
  }
  if (publicKeys.size === 0) return false;
  // Loaded here only: most commands never check a demo provider.
  const { jwtVerify } = await import('jose');
  try {
    const { payload } = await jwtVerify(jws, (header) => {
      const own = header.kid === undefined ? undefined : publicKeys.get(header.kid);
      if (own === undefined || own.alg !== header.alg) throw new Error('not a key of this data directory\'s demo provider');
      return own.key;
    }, {
      issuer: check.issuer,
      typ: PROOF_TYP,
      algorithms: [...new Set([...publicKeys.values()].map((k) => k.alg))],
      maxTokenAge: MAX_AGE_SECONDS,
      clockTolerance: MAX_AGE_SECONDS,
      requiredClaims: ['iss', 'iat', 'nonce'],
    });
    return payload['nonce'] === nonce;
  } catch {
    return false;
  }
}
