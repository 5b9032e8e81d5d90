/**
 * Revocation (RFC 7009): a sign-out's tokens each revoked on its own at the provider and client the
 * keychain names for them, and the queue of revocations owed to a provider that could not be reached
 * (kept in the keychain only, retried later, never sent where the index alone says).
 * @see https://www.rfc-editor.org/rfc/rfc7009
 * @module
 */
import { randomBytes } from 'node:crypto';
import type * as oauth from 'oauth4webapi';
import type { ErrorView, RevocationOutcome } from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import type { ProviderContext } from '../oauth/provider-context.ts';
import { revokeToken } from '../oauth/revocation.ts';
import type { SignInResult } from '../oauth/sign-in.ts';
import type { OwedRevocation, SessionRecord } from '../store/session-index.ts';
import { clientAuthOf } from './client-credentials.ts';
import type { Grant, SessionState } from './session-state.ts';
import type { TokenBinding } from './token-cache.ts';

/** The owed revocations still waiting after a retry, and the ones that cannot be sent at all. */
export interface RevocationRetry {
  readonly pending: number;
  /** Entries whose keychain secret names another provider or client than the index: nothing was sent. */
  readonly problems: readonly ErrorView[];
}

/** What a sign-out did at the provider. */
export interface RevocationResult {
  /** Every token there was got revoked at the provider. */
  revoked: boolean;
  /** Revocation failed on the network; the token waits in the keychain and is retried later. */
  revocationPending: boolean;
  /** Each token's outcome. */
  readonly tokens: { refresh: RevocationOutcome; access: RevocationOutcome };
  /**
   * Why a revocation was refused (or not sent): the local sign-out is complete anyway, but the token
   * may still be valid at the provider until it expires.
   */
  revocationError?: ErrorView;
}

/**
 * Revokes what a sign-out leaves, each token on its own, at the provider and client of the grant (as the
 * keychain entry names them), and records the outcomes in `result`. A provider that cannot be reached
 * is waited for once: the refresh token is then owed (kept to revoke later), the access token left.
 */
export async function revokeAll(state: SessionState, record: SessionRecord, grant: Grant | undefined, accessToken: string | undefined, result: RevocationResult): Promise<void> {
  const work: { which: 'refresh' | 'access'; token: string }[] = [];
  if (grant !== undefined) work.push({ which: 'refresh', token: grant.refreshToken });
  if (accessToken !== undefined) work.push({ which: 'access', token: accessToken });
  if (work.length === 0) return;
  let ctx: ProviderContext | undefined;
  let problem: DeskError | undefined;
  let unreachable = false;
  for (const { which, token } of work) {
    if (unreachable) {
      result.tokens[which] = 'unreachable';
      continue;
    }
    try {
      if (ctx === undefined) {
        // Asked first, and for every token until it passed: a refusal leaves no provider context behind.
        await state.beforeSend(grant ?? record);
        ctx = grant === undefined ? await state.provider(record, { sessionId: record.id }) : await state.providerOf(grant, record.allowHttpLoopback, { sessionId: record.id });
      }
      // A confidential client authenticates, with its credential as bound in the keychain to this provider.
      const clientAuth = await clientAuthOf(state, grant ?? record, record.clientAuth);
      await revokeToken(ctx, token, which === 'refresh' ? 'refresh_token' : 'access_token', clientAuth);
      result.tokens[which] = 'revoked';
    } catch (error) {
      const err = isDeskError(error) ? error : new DeskError('REVOCATION_FAILED', 'Revocation failed.', { cause: error });
      unreachable = err.category === 'network';
      if (unreachable && which === 'refresh' && grant !== undefined && await oweRevocation(state, grant, record, token)) {
        result.tokens.refresh = 'pending';
        result.revocationPending = true;
      } else if (unreachable && which === 'access') {
        result.tokens.access = 'unreachable';
      } else {
        result.tokens[which] = 'refused';
        problem ??= err;
      }
    }
  }
  if (problem !== undefined) result.revocationError ??= problem.toJSON();
  result.revoked = work.every(({ which }) => result.tokens[which] === 'revoked');
}

/**
 * Keeps a refresh token to revoke later at the provider and client it was issued for (in the keychain
 * only, one entry per owed token); false when it cannot be kept.
 */
export async function oweRevocation(state: SessionState, binding: TokenBinding, record: SessionRecord, refreshToken: string): Promise<boolean> {
  const account = `revoke.${record.id}.${randomBytes(4).toString('hex')}`;
  try {
    await state.deps.secrets.set(account, state.secretFor(binding, refreshToken, undefined));
  } catch {
    return false; // the keychain cannot hold it: nothing is written anywhere else
  }
  await state.updateIndex((doc) => ({
    ...doc,
    revocations: [...doc.revocations, {
      account,
      issuer: binding.issuer,
      clientId: binding.clientId,
      allowHttpLoopback: record.allowHttpLoopback,
      since: state.now(),
      ...(record.clientAuth === undefined ? {} : { clientAuth: record.clientAuth }),
    }],
  }));
  return true;
}

/**
 * Retries revocations that failed on the network, each only at the provider and client its keychain
 * secret was issued for: an index entry naming another one is reported and nothing is sent.
 */
export async function retryRevocations(state: SessionState): Promise<RevocationRetry & {
  /** The confidential clients an owed revocation was done for: their keychain entry may no longer be needed. */
  readonly settledClients: readonly TokenBinding[];
}> {
  const problems: ErrorView[] = [];
  const settledClients: TokenBinding[] = [];
  for (const owed of state.doc.revocations) {
    try {
      const read = await state.deps.secrets.get(owed.account);
      if (read.kind === 'unknown') continue;
      if (read.kind === 'found') {
        if (read.secret.issuer !== owed.issuer || read.secret.clientId !== owed.clientId) {
          problems.push(new DeskError('SESSION_BINDING_MISMATCH', 'A revocation waiting in the keychain is listed in the session index for another provider or client, so it was not sent. The data directory may have been changed by another program.').toJSON());
          continue;
        }
        await state.beforeSend(read.secret);
        // An owed revocation belongs to no session any more (its session was signed out).
        const ctx = await state.providerOf(read.secret, owed.allowHttpLoopback, undefined);
        // A confidential client authenticates as at sign-out, with its credential as bound in the keychain to this provider.
        await revokeToken(ctx, read.secret.refreshToken, 'refresh_token', await clientAuthOf(state, read.secret, owed.clientAuth));
      }
      await forgetOwed(state, owed);
      if (owed.clientAuth !== undefined) settledClients.push({ issuer: owed.issuer, clientId: owed.clientId });
    } catch {
      // still owed; the scheduler tries again later
    }
  }
  return { pending: state.doc.revocations.length, problems, settledClients };
}

/** Drops an owed revocation: done, or its token is gone. */
async function forgetOwed(state: SessionState, owed: OwedRevocation): Promise<void> {
  await state.deps.secrets.delete(owed.account);
  await state.updateIndex((doc) => ({ ...doc, revocations: doc.revocations.filter((r) => r.account !== owed.account) }));
}

/**
 * Revokes, as well as it can, the tokens of a sign-in that ended before they were stored: the refresh token
 * (which ends the grant at most providers), else the access token, at the provider that just issued them.
 * A failure changes nothing for the sign-in, which ends as it was going to; the token then lives until it
 * expires at the provider.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeUnclaimed(state: SessionState, signIn: Pick<SignInResult, 'flowId' | 'profile' | 'provider' | 'tokens'>, clientAuth?: oauth.ClientAuth): Promise<void> {
  const { tokens, provider, profile } = signIn;
  const unclaimed = tokens.refreshToken !== undefined ? { token: tokens.refreshToken, hint: 'refresh_token' as const } : tokens.accessToken === undefined ? undefined : { token: tokens.accessToken, hint: 'access_token' as const };
  if (unclaimed === undefined || provider.metadata.revocation_endpoint === undefined) return;
  try {
    await state.beforeSend(profile);
    const auth = clientAuth ?? await clientAuthOf(state, profile, profile.clientAuth);
    await revokeToken(provider.within({ flowId: signIn.flowId }), unclaimed.token, unclaimed.hint, auth);
  } catch {
    // Not revoked: nothing was stored either.
  }
}
