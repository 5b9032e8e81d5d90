/**
 * A confidential client's credential in the keychain (its secret or key pair, bound to the issuer and
 * client id), and what fronts may know of it: whether a secret is set, the public key. Never the secret.
 * @module
 */
import type { ClientCredentialView } from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import { hasControlCharacters, type ClientAuthMethod, type Profile } from '../profile.ts';
import { clientAccount, type StoredClientCredential } from '../store/client-credential.ts';
import { clientAuthFor, generateClientKey, publicClientKey, type ClientKeyAlg } from '../oauth/client-auth.ts';
import type * as oauth from 'oauth4webapi';
import type { SessionRecord } from '../store/session-index.ts';
import type { SessionState } from './session-state.ts';
import { cachedUnderClient } from './front-channel-sessions.ts';
import { newCacheKey, type TokenBinding } from './token-cache.ts';

/** The client's keychain entry, checked to be bound to `binding`; undefined when there is none. */
export async function readClientCredential(state: SessionState, binding: TokenBinding): Promise<StoredClientCredential | undefined> {
  const read = await state.deps.secrets.getClient(clientAccount(binding.issuer, binding.clientId));
  if (read.kind === 'unknown') throw read.reason;
  if (read.kind === 'absent') return undefined;
  const { credential } = read;
  if (credential.issuer !== binding.issuer || credential.clientId !== binding.clientId) {
    throw new DeskError('SESSION_BINDING_MISMATCH', 'The keychain entry of this client names another provider or client, so nothing was sent. Set the client secret again.');
  }
  return credential;
}

/** The client authentication of a profile or session: `none`, or from the client's keychain entry. */
export async function clientAuthOf(state: SessionState, binding: TokenBinding, method: ClientAuthMethod | undefined): Promise<oauth.ClientAuth> {
  const m = method ?? 'none';
  return clientAuthFor(m, m === 'none' ? undefined : await readClientCredential(state, binding));
}

/** What fronts may know of a profile's client credential: whether a secret is set, the public key, never a secret. */
export async function clientCredentialView(state: SessionState, profile: Profile): Promise<ClientCredentialView> {
  const credential = await readClientCredential(state, profile);
  return {
    profile: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    clientAuth: profile.clientAuth,
    secretSet: credential?.secret !== undefined,
    publicKey: credential?.privateJwk === undefined ? null : publicClientKey(credential.privateJwk),
  };
}

/** Writes the client's entry; a new cache key each time, so tokens got with the replaced credential are not reused. */
async function writeCredential(state: SessionState, profile: Profile, change: (old: StoredClientCredential | undefined) => Partial<StoredClientCredential>): Promise<void> {
  const old = await readClientCredential(state, profile).catch((error: unknown) => {
    // A corrupt or foreign entry is replaced; a keychain that cannot be read is not written either.
    if (error instanceof DeskError && (error.code === 'KEYCHAIN_ENTRY_CORRUPT' || error.code === 'SESSION_BINDING_MISMATCH')) return undefined;
    throw error;
  });
  const next: StoredClientCredential = {
    v: 1, kind: 'client', issuer: profile.issuer, clientId: profile.clientId, createdAt: state.now(), cacheKey: newCacheKey(),
    ...(old?.secret === undefined ? {} : { secret: old.secret }),
    ...(old?.privateJwk === undefined ? {} : { privateJwk: old.privateJwk }),
    ...change(old),
  };
  await state.deps.secrets.setClient(clientAccount(profile.issuer, profile.clientId), next);
}

/**
 * Sets the profile's client secret in the keychain, bound to its issuer and client id. The value is
 * never shown again and never echoed in an error.
 */
export async function setClientSecret(state: SessionState, profile: Profile, secret: string): Promise<ClientCredentialView> {
  if (secret.length === 0 || secret.length > 2048 || hasControlCharacters(secret)) {
    throw new DeskError('USAGE', 'A client secret is 1 to 2048 characters without control characters (a line break or tab copied with it?).');
  }
  await writeCredential(state, profile, () => ({ secret }));
  return clientCredentialView(state, profile);
}

/**
 * Makes a new key pair for `private_key_jwt`: the private key goes to the keychain, the view shows the
 * public JWK and its thumbprint to register at the provider. Replaces an earlier key.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export async function generateClientKeyPair(state: SessionState, profile: Profile, alg: ClientKeyAlg): Promise<ClientCredentialView> {
  const privateJwk = await generateClientKey(alg);
  await writeCredential(state, profile, () => ({ privateJwk }));
  return clientCredentialView(state, profile);
}

/** True for a profile that may have its client's keychain entry: a confidential client's, or an implicit one's (its token cache key). */
export function holdsClientEntry(profile: Pick<Profile, 'clientAuth' | 'flow'>): boolean {
  return profile.clientAuth !== 'none' || profile.flow === 'implicit';
}

/** True for a session that needs its client's keychain entry: a confidential client's, or one whose tokens are cached under it. */
export function usesClientEntry(record: Pick<SessionRecord, 'clientAuth' | 'flow'>): boolean {
  return record.clientAuth !== undefined || cachedUnderClient(record);
}

/**
 * Deletes the keychain entry of a client (issuer + client id: its secret, key and token cache key) once
 * nothing uses it any more: no profile of `profiles` that may hold it names that client, and no session of
 * that client authenticates with it or keeps its tokens under it (its refresh and its sign-out's revocation
 * need the secret). True when an entry was deleted. A keychain that is not there at all holds no entry.
 */
export async function releaseClientCredential(state: SessionState, profiles: readonly Profile[], binding: TokenBinding): Promise<boolean> {
  const same = (other: TokenBinding): boolean => other.issuer === binding.issuer && other.clientId === binding.clientId;
  if (profiles.some((p) => same(p) && holdsClientEntry(p))) return false;
  // The index as it is now: another process may have signed in with this client meanwhile.
  await state.reload();
  if (state.doc.sessions.some((s) => same(s) && usesClientEntry(s))) return false;
  // A revocation still owed for this client authenticates with the entry when it is retried.
  if (state.doc.revocations.some((r) => same(r) && r.clientAuth !== undefined)) return false;
  try {
    return await state.deps.secrets.deleteClient(clientAccount(binding.issuer, binding.clientId));
  } catch (error) {
    if (isDeskError(error, 'KEYCHAIN_UNAVAILABLE')) return false;
    throw error;
  }
}
