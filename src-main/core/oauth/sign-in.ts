/**
 * Sign-in orchestration: discovery, the authorization request, the wait for the callback (custom
 * scheme through the router, or a loopback receiver of its own), the code exchange and ID token checks,
 * all bound to the sign-in's one deadline.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { DeskError } from '../errors.ts';
import type { FetchLike } from '../http/client.ts';
import { APP_POST_LOGOUT_REDIRECT_URI, APP_REDIRECT_URI, APP_SCHEME, parseLoopbackRedirectUri, type Profile } from '../profile.ts';
import { buildAuthorizationRequest, type AuthorizationOptions, type AuthorizationRequest } from './authorize.ts';
import { CallbackRouter, carriesState, paramsCarryState, type RoutableFlow } from './callback.ts';
import { Deadline } from './deadline.ts';
import { assertDpopOffered, dpopSigner, generateDpopKey, type DpopSigner } from './dpop.ts';
import { buildEndSessionRequest } from './end-session.ts';
import { completeFrontChannel, frontChannelRequestOf, toFrontChannelRequest, validateFrontChannelResponse } from './front-channel.ts';
import { startLoopbackReceiver, type LoopbackOutcome, type LoopbackReceiver } from './loopback.ts';
import { pushAuthorizationRequest, pushesAuthorizationRequest, requestUriExpired } from './par.ts';
import { FLOW_TTL_MS, PendingFlows } from './pending.ts';
import { ProviderDirectory, type ProviderContext } from './provider-context.ts';
import { exchangeCode, type TokenSet } from './tokens.ts';

/** The outcome of a completed sign-in. */
export interface SignInResult {
  /** The sign-in's id (`StartedSignIn.id`): its exchanges carry it until they are assigned to a session. */
  readonly flowId: string;
  readonly profile: Profile;
  readonly provider: ProviderContext;
  readonly redirectUri: string;
  readonly tokens: TokenSet;
  /** Requests that reached the loopback listener without this sign-in's state (0 for other redirects). */
  readonly strayRequests: number;
  /** The sign-in's DPoP key (RFC 9449), when the profile uses DPoP: the tokens are bound to it. */
  readonly dpop?: DpopSigner;
}

/** Options of one sign-in: the authorization request's, and its deadline. */
export interface SignInOptions extends AuthorizationOptions {
  /** How long the sign-in may wait, ms (default: the engine's `flowTtlMs`, 10 min); at most a day. */
  readonly timeoutMs?: number;
  /** Ends the sign-in when aborted: with the reason when it is a DeskError, else `SIGN_IN_CANCELLED`. */
  readonly signal?: AbortSignal;
}

/** A sign-in waiting for the browser. */
export interface StartedSignIn {
  /** An id for the front to refer to this sign-in (not the state). */
  readonly id: string;
  /** Open this in the system browser. */
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  /** The deadline, ms since the epoch (engine clock): then the sign-in ends with `FLOW_TIMEOUT`. */
  readonly expiresAt: number;
  /** Settles once: tokens verified, or a DeskError. */
  readonly result: Promise<SignInResult>;
  /**
   * Requests that reached the loopback listener without this sign-in's state and were refused (400),
   * so far; final once `result` settled, whichever way. Only a count: nothing of their content is kept.
   */
  readonly strayRequests: number;
  /** Abandons the sign-in now (`SIGN_IN_CANCELLED`; its callback will then be refused). */
  cancel(): void;
  /** When the request was pushed (PAR): until when its `request_uri` can be opened, ms since the epoch. */
  readonly requestUriExpiresAt?: number;
  /**
   * For a front about to send the browser to a pushed request: ends the sign-in with `PAR_REQUEST_EXPIRED`
   * and answers true when its `request_uri` has expired; false (nothing changed) otherwise.
   */
  expireRequestUri(): boolean;
}

interface Flow extends RoutableFlow {
  readonly id: string;
}

/** Dependencies of {@link SignInEngine}. */
export interface SignInDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  /** Shared discovery cache (the session service passes its own). */
  readonly providers?: ProviderDirectory;
  /** How long a flow waits for its callback unless the sign-in says otherwise (default 10 min). */
  readonly flowTtlMs?: number;
  /**
   * Hears the tokens of a sign-in that ended (cancelled, timed out) while they were being checked: nothing
   * will store them, so the host revokes them rather than leave the grant valid with nobody holding it.
   */
  readonly onUnclaimed?: (result: SignInResult) => void;
}

/** Why a sign-in ended after the fact: its deadline's signal is aborted with this once it settled. */
const SETTLED = new DeskError('SIGN_IN_CANCELLED', 'The sign-in has ended.');

/** Runs authorization code + PKCE sign-ins for any number of profiles at once. */
export class SignInEngine {
  readonly providers: ProviderDirectory;
  /** The single entry for callbacks arriving by deep link (custom schemes). */
  readonly router: CallbackRouter<Flow>;
  readonly #deps: SignInDeps;
  readonly #pending = new PendingFlows<Flow>();
  readonly #ttl: number;

  constructor(deps: SignInDeps) {
    this.#deps = deps;
    this.#ttl = deps.flowTtlMs ?? FLOW_TTL_MS;
    this.providers = deps.providers ?? new ProviderDirectory(deps.fetch, { now: deps.now });
    this.router = new CallbackRouter(this.#pending, () => this.#schemes());
  }

  /**
   * Starts a sign-in: discovery, then an authorization URL for the system browser. From here on one
   * deadline (the timeout, `cancel()`, the caller's signal) ends everything the sign-in holds: its
   * pending flow, its loopback listener, a code exchange under way, and `result`.
   */
  async start(profile: Profile, options: SignInOptions = {}): Promise<StartedSignIn> {
    const { timeoutMs, signal: outer, ...authorization } = options;
    // The implicit and hybrid flows (legacy): their response type, in the fragment or as a form post.
    const front = frontChannelRequestOf(profile);
    const deadline = new Deadline(timeoutMs ?? this.#ttl, this.#deps.now, outer);
    const id = randomUUID();
    // The sign-in's exchanges (discovery, JWKS, token) carry its id until the session it becomes takes them.
    const provider = await this.providers.get(profile, { context: { flowId: id } });
    if (deadline.signal.aborted) throw deadline.error();
    // PAR and DPoP are decided (and refused) before any listener or browser.
    const push = pushesAuthorizationRequest(profile.par, provider.metadata);
    if (profile.dpop) assertDpopOffered(provider.metadata);
    const dpop = profile.dpop ? await dpopSigner(await generateDpopKey()) : undefined;

    let settled = false;
    let resolve!: (r: SignInResult) => void;
    let reject!: (e: DeskError) => void;
    const done = new Promise<SignInResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A rejection nobody awaits yet must not crash the process; callers still see it on `result`.
    done.catch(() => undefined);
    let loopback: LoopbackReceiver | undefined;
    const finish = (outcome: { ok: SignInResult } | { error: DeskError }): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onDeadline);
      // Whatever the outcome, the deadline is over: the pending flow and the listener follow it.
      deadline.cancel('error' in outcome ? outcome.error : SETTLED);
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.error);
    };
    const onDeadline = (): void => finish({ error: deadline.error() });
    deadline.signal.addEventListener('abort', onDeadline, { once: true });

    // The loopback receiver exists before the flow (the flow needs its port): a request that arrives
    // in between waits until the flow is registered, or fails if setting it up failed.
    let registered!: { resolve: (f: Flow) => void; reject: (e: unknown) => void };
    const flowReady = new Promise<Flow>((res, rej) => {
      registered = { resolve: res, reject: rej };
    });
    flowReady.catch(() => undefined);

    let request: AuthorizationRequest;
    let requestUriExpiresAt: number | undefined;
    let redirectUri: string;
    try {
      if (profile.redirect.kind === 'loopback') {
        loopback = await this.#startLoopback(profile.redirect.uri, deadline, flowReady, front?.responseMode === 'form_post');
        redirectUri = loopback.redirectUri;
      } else {
        redirectUri = profile.redirect.kind === 'custom-scheme' ? profile.redirect.uri : APP_REDIRECT_URI;
      }
      request = await buildAuthorizationRequest({
        metadata: provider.metadata,
        clientId: profile.clientId,
        redirectUri,
        scopes: profile.scopes,
        options: { ...authorization, extraParams: { ...profile.extraParams, ...authorization.extraParams } },
        ...(dpop === undefined ? {} : { dpopJkt: dpop.key.jkt }),
      });
      if (front !== undefined) request = toFrontChannelRequest(request, front);
      if (push) {
        const built = request;
        const pushed = await pushAuthorizationRequest(provider, built, { now: this.#deps.now, signal: deadline.signal });
        request = pushed;
        requestUriExpiresAt = pushed.requestUriExpiresAt;
      }
    } catch (error) {
      registered.reject(error);
      finish({ error: error instanceof DeskError ? error : new DeskError('INTERNAL', 'The sign-in could not start.', { cause: error }) });
      await loopback?.close();
      throw error;
    }

    const flow: Flow = {
      kind: 'authorization',
      id,
      state: request.state,
      signal: deadline.signal,
      redirectUri,
      metadata: provider.metadata,
      client: provider.client,
      responseMode: front?.responseMode ?? 'query',
      ...(front === undefined ? {} : { validateFrontChannel: (params: URLSearchParams, state: string) => validateFrontChannelResponse(provider.metadata, provider.client, params, state, front.responseType) }),
      complete: async (params) => {
        try {
          const tokens = await (front === undefined ? exchangeCode(provider, {
            params,
            redirectUri,
            codeVerifier: request.codeVerifier,
            nonce: request.nonce,
            requireIdToken: profile.scopes.includes('openid'),
            now: this.#deps.now,
            maxAgeSeconds: request.maxAge,
            signal: deadline.signal,
            dpop,
          }) : completeFrontChannel(provider, {
            responseType: front.responseType,
            params,
            state: request.state,
            nonce: request.nonce ?? '',
            redirectUri,
            codeVerifier: request.codeVerifier,
            maxAgeSeconds: request.maxAge,
            now: this.#deps.now,
            signal: deadline.signal,
          }));
          const result: SignInResult = { flowId: id, profile, provider, redirectUri, tokens, strayRequests: loopback?.strayRequests ?? 0, ...(dpop === undefined ? {} : { dpop }) };
          if (settled) this.#deps.onUnclaimed?.(result);
          else finish({ ok: result });
        } catch (error) {
          // Past the deadline, the sign-in already ended with its error; this is what the caller of the router sees.
          const err = error instanceof DeskError ? error : new DeskError('INTERNAL', 'The code exchange failed.', { cause: error });
          finish({ error: err });
          throw err;
        }
      },
      fail: (error) => finish({ error }),
    };
    try {
      // A deadline that passed while the listener or the request was prepared ends the sign-in here.
      if (deadline.signal.aborted) throw deadline.error();
      this.#pending.add(flow);
    } catch (error) {
      registered.reject(error);
      finish({ error: error instanceof DeskError ? error : new DeskError('INTERNAL', 'The sign-in could not start.', { cause: error }) });
      await loopback?.close();
      throw error;
    }
    deadline.signal.addEventListener('abort', () => this.#pending.take(request.state), { once: true });
    registered.resolve(flow);
    return {
      id,
      authorizationUrl: request.url.href,
      redirectUri,
      expiresAt: deadline.expiresAt,
      result: done,
      get strayRequests() {
        return loopback?.strayRequests ?? 0;
      },
      cancel: () => deadline.cancel(new DeskError('SIGN_IN_CANCELLED', 'Sign-in was cancelled.')),
      ...(requestUriExpiresAt === undefined ? {} : { requestUriExpiresAt }),
      expireRequestUri: () => {
        if (requestUriExpiresAt === undefined || this.#deps.now() < requestUriExpiresAt || settled) return false;
        deadline.cancel(requestUriExpired());
        return true;
      },
    };
  }

  /**
   * The loopback receiver of one sign-in, bound to its deadline. Only a request carrying the flow's
   * state reaches the router (and then ends the flow, whatever the outcome); any other local program's
   * request is a counted stray that ends nothing. A fixed redirect URI binds exactly its address, port
   * and path; a busy port fails here, before any browser. With `formPost` (the implicit and hybrid flows
   * on loopback) the callback is a form post carrying the state, and a GET is a stray.
   */
  async #startLoopback(fixedUri: string | undefined, deadline: Deadline, flowReady: Promise<Flow>, formPost: boolean): Promise<LoopbackReceiver> {
    const fixed = fixedUri === undefined ? undefined : parseLoopbackRedirectUri(fixedUri);
    const own = (): Promise<Flow | undefined> => flowReady.catch(() => undefined);
    return startLoopbackReceiver({
      ...(fixed === undefined ? {} : { host: fixed.host, port: fixed.port, path: fixed.path }),
      signal: deadline.signal,
      isPendingCallback: async (url) => {
        const flow = await own();
        return flow !== undefined && !formPost && carriesState(url, flow.state);
      },
      onCallback: (url) => this.#deliver(deadline, flowReady, () => this.router.handle(url)),
      ...(formPost ? {
        formPost: {
          isPendingCallback: async (body: string) => {
            const flow = await own();
            return flow !== undefined && paramsCarryState(new URLSearchParams(body), flow.state);
          },
          onCallback: (url: string, body: string) => this.#deliver(deadline, flowReady, () => this.router.handleFormPost(url, body)),
        },
      } : {}),
    });
  }

  /** Hands a loopback callback to the router once the flow is registered; a refusal ends the sign-in. */
  async #deliver(deadline: Deadline, flowReady: Promise<Flow>, handle: () => Promise<void>): Promise<LoopbackOutcome> {
    try {
      await flowReady;
    } catch {
      return { ok: false, code: 'CALLBACK_STATE_UNKNOWN' };
    }
    try {
      await handle();
      return { ok: true };
    } catch (error) {
      const err = error instanceof DeskError ? error : new DeskError('CALLBACK_INVALID', 'The callback was refused.');
      deadline.cancel(err);
      return { ok: false, code: err.code };
    }
  }

  /**
   * Starts an RP-initiated logout: returns the URL to open in the system browser; `result` settles
   * when the browser comes back to our scheme with the same `state` (or the flow's deadline passes).
   */
  startEndSession(provider: ProviderContext, idTokenHint: string | undefined): { readonly url: string; readonly result: Promise<void> } {
    const request = buildEndSessionRequest({ metadata: provider.metadata, clientId: provider.client.client_id, idTokenHint, postLogoutRedirectUri: APP_POST_LOGOUT_REDIRECT_URI });
    const deadline = new Deadline(this.#ttl, this.#deps.now);
    let resolve!: () => void;
    let reject!: (e: DeskError) => void;
    const result = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined);
    let settled = false;
    const settle = (error?: DeskError): void => {
      if (settled) return;
      settled = true;
      deadline.cancel(error ?? SETTLED);
      if (error) reject(error);
      else resolve();
    };
    deadline.signal.addEventListener('abort', () => {
      this.#pending.take(request.state);
      const error = deadline.error();
      settle(error.code === 'FLOW_TIMEOUT' ? new DeskError('FLOW_TIMEOUT', 'The browser did not come back from the provider\'s sign-out page in time.') : error);
    }, { once: true });
    this.#pending.add({
      kind: 'logout',
      id: randomUUID(),
      state: request.state,
      signal: deadline.signal,
      redirectUri: APP_POST_LOGOUT_REDIRECT_URI,
      metadata: provider.metadata,
      client: provider.client,
      complete: async () => settle(),
      fail: (error) => settle(error),
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
