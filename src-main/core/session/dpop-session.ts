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
 * The DPoP signer of a session: this process's (it keeps the provider's nonces), else one made from the
 * key of `grant` (or of the keychain entry, read when the record says the session is DPoP-bound).
 * Undefined for a session with bearer tokens. A key in the entry is used even when the index lost its
 * mark; a record that names a key the entry does not hold is never served as a bearer session.
 * @throws DeskError `DPOP_KEY_MISSING`, and what reading the keychain entry throws
 */
export async function dpopOf(state: SessionState, record: SessionRecord, grant?: Grant): Promise<DpopSigner | undefined> {
  const live = state.liveOf(record.id);
  if (live.dpop !== undefined) return live.dpop;
  let key = grant?.dpopKey ?? live.memoryGrant?.dpopKey;
  if (key === undefined && grant === undefined && record.dpopJkt !== undefined) key = (await readGrant(state, record)).dpopKey;
  if (key === undefined) {
    if (record.dpopJkt !== undefined) throw dpopKeyMissing();
    return undefined;
  }
  const signer = await dpopSigner(await dpopKeyOf(key));
  live.dpop ??= signer;
  return live.dpop;
}
