/**
 * Sign-in orchestration: discovery, the authorization request, the wait for the callback (custom
 * scheme through the router, or a loopback receiver of its own), the code exchange and ID token checks.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import { APP_POST_LOGOUT_REDIRECT_URI, APP_REDIRECT_URI, APP_SCHEME, parseLoopbackRedirectUri, type Profile } from '../profile.ts';
import { buildAuthorizationRequest, type AuthorizationOptions } from './authorize.ts';
import { CallbackRouter, carriesState, type RoutableFlow } from './callback.ts';
import { buildEndSessionRequest } from './end-session.ts';
import { startLoopbackReceiver } from './loopback.ts';
import { FLOW_TTL_MS, PendingFlows } from './pending.ts';
import { ProviderDirectory, type ProviderContext } from './provider-context.ts';
import { exchangeCode, type TokenSet } from './tokens.ts';

/** The outcome of a completed sign-in. */
export interface SignInResult {
  readonly profile: Profile;
  readonly provider: ProviderContext;
  readonly redirectUri: string;
  readonly tokens: TokenSet;
  /** Requests that reached the loopback listener without this sign-in's state (0 for other redirects). */
  readonly strayRequests: number;
}

/** A sign-in waiting for the browser. */
export interface StartedSignIn {
  /** An id for the front to refer to this sign-in (not the state). */
  readonly id: string;
  /** Open this in the system browser. */
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  /** Settles once: tokens verified, or a DeskError. */
  readonly result: Promise<SignInResult>;
  /**
   * Requests that reached the loopback listener without this sign-in's state and were refused (400),
   * so far; final once `result` settled, whichever way. Only a count: nothing of their content is kept.
   */
  readonly strayRequests: number;
  /** Abandons the sign-in (its callback will then be refused). */
  cancel(): void;
}

interface Flow extends RoutableFlow {
  readonly id: string;
  cancel(error: DeskError): void;
}

/** Dependencies of {@link SignInEngine}. */
export interface SignInDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  /** Shared discovery cache (the session service passes its own). */
  readonly providers?: ProviderDirectory;
  /** How long a flow waits for its callback (default 10 min). */
  readonly flowTtlMs?: number;
}

/** Runs authorization code + PKCE sign-ins for any number of profiles at once. */
export class SignInEngine {
  readonly providers: ProviderDirectory;
  /** The single entry for callbacks arriving by deep link (custom schemes). */
  readonly router: CallbackRouter<Flow>;
  readonly #deps: SignInDeps;
  readonly #pending: PendingFlows<Flow>;
  readonly #ttl: number;

  constructor(deps: SignInDeps) {
    this.#deps = deps;
    this.#ttl = deps.flowTtlMs ?? FLOW_TTL_MS;
    this.providers = deps.providers ?? new ProviderDirectory(deps.fetch);
    this.#pending = new PendingFlows<Flow>({ now: deps.now, ttlMs: this.#ttl });
    this.router = new CallbackRouter(this.#pending, () => this.#schemes());
  }

  /** Starts a sign-in: discovery, then an authorization URL for the system browser. */
  async start(profile: Profile, options: AuthorizationOptions = {}): Promise<StartedSignIn> {
    const provider = await this.providers.get(profile);
    const id = randomUUID();
    let loopback: Awaited<ReturnType<typeof startLoopbackReceiver>> | undefined;
    // While the receiver handles its request it must stay open to answer; it closes itself afterwards.
    let receiverAnswering = false;
    let redirectUri: string;
    // The loopback receiver exists before the flow (the flow needs its port): a request that arrives
    // in between waits until the flow is registered, or fails if setting it up failed.
    let registered!: { resolve: (f: Flow) => void; reject: (e: unknown) => void };
    const flowReady = new Promise<Flow>((resolve, reject) => {
      registered = { resolve, reject };
    });
    flowReady.catch(() => undefined);
    if (profile.redirect.kind === 'loopback') {
      // A fixed redirect URI binds exactly its address, port and path; a busy port fails here, before any browser.
      const fixed = profile.redirect.uri === undefined ? undefined : parseLoopbackRedirectUri(profile.redirect.uri);
      // Only a request carrying this flow's state reaches the router (and then ends the flow, whatever
      // the outcome); any other local program's request is a counted stray that ends nothing.
      loopback = await startLoopbackReceiver({
        ...(fixed === undefined ? {} : { host: fixed.host, port: fixed.port, path: fixed.path }),
        timeoutMs: this.#ttl,
        isPendingCallback: async (url) => {
          const own = await flowReady.catch(() => undefined);
          return own !== undefined && carriesState(url, own.state);
        },
        onCallback: async (url) => {
          receiverAnswering = true;
          let own: Flow;
          try {
            own = await flowReady;
          } catch {
            return { ok: false, code: 'CALLBACK_STATE_UNKNOWN' };
          }
          try {
            await this.router.handle(url);
            return { ok: true };
          } catch (error) {
            const err = error instanceof DeskError ? error : new DeskError('CALLBACK_INVALID', 'The callback was refused.');
            own.cancel(err);
            return { ok: false, code: err.code };
          }
        },
      });
      redirectUri = loopback.redirectUri;
    } else {
      redirectUri = profile.redirect.kind === 'custom-scheme' ? profile.redirect.uri : APP_REDIRECT_URI;
    }

    let request: Awaited<ReturnType<typeof buildAuthorizationRequest>>;
    try {
      request = await buildAuthorizationRequest({
        metadata: provider.metadata,
        clientId: profile.clientId,
        redirectUri,
        scopes: profile.scopes,
        options: { ...options, extraParams: { ...profile.extraParams, ...options.extraParams } },
      });
    } catch (error) {
      registered.reject(error);
      await loopback?.close();
      throw error;
    }

    let settled = false;
    let resolve!: (r: SignInResult) => void;
    let reject!: (e: DeskError) => void;
    const done = new Promise<SignInResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A rejection nobody awaits yet must not crash the process; callers still see it on `result`.
    done.catch(() => undefined);
    const finish = (outcome: { ok: SignInResult } | { error: DeskError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!receiverAnswering) void loopback?.close();
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => {
      this.#pending.take(request.state);
      finish({ error: new DeskError('FLOW_TIMEOUT', `No answer from the browser within ${Math.round(this.#ttl / 60000)} min; the sign-in was abandoned. Start it again.`) });
    }, this.#ttl);
    timer.unref?.();
    void loopback?.done.then((how) => {
      if (how === 'timeout') {
        this.#pending.take(request.state);
        finish({ error: new DeskError('FLOW_TIMEOUT', 'No answer from the browser in time; the sign-in was abandoned. Start it again.') });
      } else if (how === 'flooded') {
        this.#pending.take(request.state);
        finish({ error: new DeskError('LOOPBACK_FLOODED', `${loopback?.strayRequests ?? 0} requests without this sign-in's state reached its loopback listener, so it stopped listening: another program on this computer is sending them. No token was requested. Start the sign-in again, and look for that program.`) });
      }
    });

    const flow: Flow = {
      kind: 'authorization',
      id,
      state: request.state,
      createdAt: this.#deps.now(),
      redirectUri,
      metadata: provider.metadata,
      client: provider.client,
      complete: async (params) => {
        try {
          const tokens = await exchangeCode(provider, {
            params,
            redirectUri,
            codeVerifier: request.codeVerifier,
            nonce: request.nonce,
            requireIdToken: profile.scopes.includes('openid'),
            now: this.#deps.now,
            maxAgeSeconds: request.maxAge,
          });
          finish({ ok: { profile, provider, redirectUri, tokens, strayRequests: loopback?.strayRequests ?? 0 } });
        } catch (error) {
          const err = error instanceof DeskError ? error : new DeskError('INTERNAL', 'The code exchange failed.', { cause: error });
          finish({ error: err });
          throw err;
        }
      },
      fail: (error) => finish({ error }),
      cancel: (error) => {
        this.#pending.take(request.state);
        finish({ error });
      },
    };
    try {
      this.#pending.add(flow);
    } catch (error) {
      clearTimeout(timer);
      registered.reject(error);
      await loopback?.close();
      throw error;
    }
    registered.resolve(flow);
    return {
      id,
      authorizationUrl: request.url.href,
      redirectUri,
      result: done,
      get strayRequests() {
        return loopback?.strayRequests ?? 0;
      },
      cancel: () => flow.cancel(new DeskError('SIGN_IN_CANCELLED', 'Sign-in was cancelled.')),
    };
  }

  /**
   * Starts an RP-initiated logout: returns the URL to open in the system browser; `result` settles
   * when the browser comes back to our scheme with the same `state` (or the flow times out).
   */
  startEndSession(provider: ProviderContext, idTokenHint: string | undefined): { readonly url: string; readonly result: Promise<void> } {
    const request = buildEndSessionRequest({ metadata: provider.metadata, clientId: provider.client.client_id, idTokenHint, postLogoutRedirectUri: APP_POST_LOGOUT_REDIRECT_URI });
    let resolve!: () => void;
    let reject!: (e: DeskError) => void;
    const result = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined);
    const timer = setTimeout(() => {
      this.#pending.take(request.state);
      reject(new DeskError('FLOW_TIMEOUT', 'The browser did not come back from the provider\'s sign-out page in time.'));
    }, this.#ttl);
    timer.unref?.();
    const settle = (error?: DeskError): void => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    this.#pending.add({
      kind: 'logout',
      id: randomUUID(),
      state: request.state,
      createdAt: this.#deps.now(),
      redirectUri: APP_POST_LOGOUT_REDIRECT_URI,
      metadata: provider.metadata,
      client: provider.client,
      complete: async () => settle(),
      fail: (error) => settle(error),
      cancel: (error) => settle(error),
    });
    return { url: request.url.href, result };
  }

  /** Number of sign-ins waiting for the browser. */
  get pendingCount(): number {
    return this.#pending.values().length;
  }

  #schemes(): string[] {
    const schemes = new Set([APP_SCHEME]);
    for (const flow of this.#pending.values()) {
      const scheme = flow.redirectUri.slice(0, flow.redirectUri.indexOf(':'));
      if (scheme !== 'http') schemes.add(scheme);
    }
    return [...schemes];
  }
}
