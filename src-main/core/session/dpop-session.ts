/**
 * A DPoP-bound session's key in this process: the signer made once from the private key its keychain entry
 * keeps beside the refresh token (or its session-only grant), and the refusal to go on without it.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @module
 */
import { dpopKeyMissing, dpopKeyOf, dpopSigner, type DpopSigner } from '../oauth/dpop.ts';
import type { SessionRecord } from '../store/session-index.ts';
import { readGrant } from './grants.ts';
import type { Grant, SessionState } from './session-state.ts';

/**
 * The DPoP signer of a session: made from the key of `grant` (or of the session's keychain entry, read
 * when the record says the session is DPoP-bound), and kept for this process (it keeps the provider's
 * nonces) while the key stays the same: another process may have signed the session in again with a new
 * key. Undefined for a session with bearer tokens. A key in the entry is used even when the index lost its
 * mark; a record that names a key the entry does not hold is never served as a bearer session.
 * @throws DeskError `DPOP_KEY_MISSING`, and what reading the keychain entry throws
 */
export async function dpopOf(state: SessionState, record: SessionRecord, grant?: Grant): Promise<DpopSigner | undefined> {
  const live = state.liveOf(record.id);
  const held = live.dpop;
  // This process's signer serves while the index names its key (the sign-in's, or one read before).
  const named = held !== undefined && held.key.jkt === record.dpopJkt;
  let key = grant?.dpopKey ?? live.memoryGrant?.dpopKey;
  if (key === undefined && grant === undefined && record.dpopJkt !== undefined) {
    if (named) return held;
    key = (await readGrant(state, record)).dpopKey;
  }
  if (key === undefined) {
    if (named) return held;
    if (record.dpopJkt !== undefined) throw dpopKeyMissing();
    return undefined;
  }
  if (held !== undefined && held.key.privateJwk['d'] === key['d']) return held;
  const signer = await dpopSigner(await dpopKeyOf(key));
  live.dpop = signer;
  return signer;
}
