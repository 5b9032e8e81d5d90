/**
 * The implementation of {@link DeskApi} over the session service: every input narrowed by its
 * operation's schema, every outcome a plain `Result`, sign-in and sign-out outcomes as events.
 * @module
 */
import type {
  ClientCredentialView, DemoProviderView, DeskApi, DeskEvent, DeskOperation, ErrorView, JwtInspection, ProfileInput, ProfileView, Result, SchemeHost, SignInDone, SignInStart, SignOutView,
  DeviceSignInStart,
} from '../contract.ts';
import { DeskError, isDeskError } from '../errors.ts';
import type { ExchangeLog } from '../http/exchange-log.ts';
import { exchangesToHar } from '../http/har.ts';
import { checkProvider } from '../oauth/provider-check.ts';
import { assertIssuer, mayGetRefreshToken, OFFLINE_ACCESS_UNUSED_WARNING, OKTA_SESSION_TOKEN_WARNING, PASSWORD_FLOW_WARNING, usesRedirect, type Profile } from '../profile.ts';
import { frontChannelWarning, isFrontChannelFlow } from '../front-channel-flows.ts';
import type { SessionService } from '../session/session-service.ts';
import { profileScheme, registerProfileSchemes, requireSchemeHost, schemeStatus, testScheme } from './scheme-ops.ts';

import { holdsClientEntry } from '../session/client-credentials.ts';
import { directFlowId } from '../session/direct-sign-in.ts';
import { parseInput, type OperationInput } from './schemas.ts';
import { signInDevice } from './device-sign-in-op.ts';

/** What the API needs of the demo provider; the composition root supplies it (the core does not run it). */
export interface DemoProviderPort {
  state(): Promise<DemoProviderView>;
  /** Starts it when it does not run; returns its state and the profile input of the ready-made `demo` profile. */
  ensure(): Promise<{ readonly provider: DemoProviderView; readonly profile: ProfileInput }>;
}

/** An error as a front receives it: a DeskError's view, or a neutral INTERNAL one (no raw text of unknown errors). */
export function errorView(error: unknown): ErrorView {
  if (isDeskError(error)) return error.toJSON();
  return { code: 'INTERNAL', message: `Unexpected failure (${error instanceof Error ? error.name : typeof error}).` };
}

/** The warnings a profile's view carries, as one text: its flow's, then a scope that can do nothing. */
function profileWarning(profile: Profile): string | undefined {
  const warnings: string[] = [];
  if (profile.flow === 'password') warnings.push(PASSWORD_FLOW_WARNING);
  if (profile.flow === 'okta_session_token') warnings.push(OKTA_SESSION_TOKEN_WARNING);
  if (isFrontChannelFlow(profile.flow)) warnings.push(frontChannelWarning(profile.flow));
  // Client credentials refuses offline_access outright (parseProfile); implicit keeps it, asked for explicitly.
  if (!mayGetRefreshToken(profile.flow) && profile.scopes.includes('offline_access')) warnings.push(OFFLINE_ACCESS_UNUSED_WARNING);
  return warnings.length === 0 ? undefined : warnings.join(' ');
}

/** How a profile reads in every front: `redirect` is null for a flow that uses none. */
export function profileView(profile: Profile): ProfileView {
  const { redirect } = profile;
  const warning = profileWarning(profile);
  return {
    name: profile.name,
    issuer: profile.issuer,
    clientId: profile.clientId,
    scopes: [...profile.scopes],
    redirect: !usesRedirect(profile.flow) ? null : redirect.kind === 'custom-scheme' ? redirect.uri : redirect.kind === 'loopback' && redirect.uri !== undefined ? redirect.uri : redirect.kind,
    allowHttpLoopback: profile.allowHttpLoopback,
    extraParams: { ...profile.extraParams },
    flow: profile.flow,
    clientAuth: profile.clientAuth,
    ...(warning === undefined ? {} : { warning }),
    ...(profile.responseType === undefined ? {} : { responseType: profile.responseType }),
    par: profile.par,
    dpop: profile.dpop,
  };
}

const NO_DEMO: DemoProviderPort = {
  state: async () => ({ running: false, issuer: null, pid: null }),
  ensure: async () => {
    throw new DeskError('ENDPOINT_NOT_SUPPORTED', 'This front runs no demo provider.');
  },
};

/** What the API is built from besides the session service. */
export interface DeskApiDeps {
  readonly demo?: DemoProviderPort | undefined;
  /** The exchange log the core fetch writes to: the sessions' timelines. */
  readonly exchanges: ExchangeLog;
  /** OIDC Desk's version, named in HAR exports. */
  readonly version: string;
  /** The desktop app's URI scheme registration; absent in the CLI and browser mode. */
  readonly schemes?: SchemeHost | undefined;
}

/** The API of one open desk. */
export class DeskApiService implements DeskApi {
  readonly #service: SessionService;
  readonly #demo: DemoProviderPort;
  readonly #exchanges: ExchangeLog;
  readonly #version: string;
  readonly #schemes: SchemeHost | undefined;
  readonly #listeners = new Set<(event: DeskEvent) => void>();
  /** Sign-ins waiting for their browser, by flow id. */
  readonly #flows = new Map<string, { cancel(): void; expireRequestUri?(): boolean }>();

  constructor(service: SessionService, deps: DeskApiDeps) {
    this.#service = service;
    this.#demo = deps.demo ?? NO_DEMO;
    this.#exchanges = deps.exchanges;
    this.#version = deps.version;
    this.#schemes = deps.schemes;
    service.subscribe((event) => this.#emit(event));
    // A session's timeline grows in every front as its exchanges happen (those of no session stay out).
    deps.exchanges.subscribe((entry) => {
      if (entry.context?.sessionId !== undefined) this.#emit({ type: 'timeline', entry });
    });
  }

  /** Narrows the input, runs the operation, and returns its outcome as plain data. */
  async #run<K extends DeskOperation, T>(operation: K, input: unknown, fn: (args: OperationInput<K>) => Promise<T> | T): Promise<Result<T>> {
    try {
      return { ok: true, value: await fn(parseInput(operation, input)) };
    } catch (error) {
      return { ok: false, error: errorView(error) };
    }
  }

  #emit(event: DeskEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a front's listener must not break the core
      }
    }
  }

  subscribe(listener: (event: DeskEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  listProfiles(input?: unknown) {
    return this.#run('listProfiles', input, async () => (await this.#service.profiles.list()).map(profileView));
  }

  addProfile(input: unknown) {
    return this.#run('addProfile', input, async ({ profile }) => profileView(await this.#registered(await this.#service.profiles.add(profile))));
  }

  updateProfile(input: unknown) {
    return this.#run('updateProfile', input, async ({ name, profile }) => {
      const profiles = this.#service.profiles;
      const old = await profiles.get(name);
      const updated = await profiles.update(name, profile);
      // Another client (or one that keeps no entry now): the old client's secret is not left in the keychain.
      if (holdsClientEntry(old) && (old.issuer !== updated.issuer || old.clientId !== updated.clientId || !holdsClientEntry(updated))) {
        // The profile is saved already: a keychain that fails now costs a leftover entry, not the edit.
        await this.#service.releaseClient(old, await profiles.list()).catch(() => false);
      }
      return profileView(await this.#registered(updated));
    });
  }

  /**
   * Has the desktop app register the schemes of every profile when a saved profile redirects to a scheme.
   * The profile stays saved when the OS refuses: `schemeStatus` shows what the OS says.
   */
  async #registered(profile: Profile): Promise<Profile> {
    if (this.#schemes !== undefined && profileScheme(profile) !== null) {
      await registerProfileSchemes(this.#schemes, await this.#service.profiles.list()).catch(() => undefined);
    }
    return profile;
  }

  removeProfile(input: unknown) {
    return this.#run('removeProfile', input, async ({ name }) => {
      const profiles = this.#service.profiles;
      const profile = await profiles.get(name);
      // The client's secret first: a keychain that cannot delete it (locked) fails the removal, nothing changed.
      if (holdsClientEntry(profile)) await this.#service.releaseClient(profile, (await profiles.list()).filter((p) => p.name !== name));
      await profiles.remove(name);
      return null;
    });
  }

  checkProvider(input: unknown) {
    return this.#run('checkProvider', input, async (args) => {
      if ('profile' in args) return checkProvider(this.#service.providers, await this.#service.profiles.get(args.profile));
      const allowHttpLoopback = args.allowHttpLoopback === true;
      return checkProvider(this.#service.providers, { issuer: assertIssuer(args.issuer, allowHttpLoopback), clientId: args.clientId, allowHttpLoopback });
    });
  }

  startSignIn(input: unknown) {
    return this.#run('startSignIn', input, async ({ profile: name, options, timeoutSeconds, username, password }): Promise<SignInStart | SignInDone | DeviceSignInStart> => {
      const profile = await this.#service.profiles.get(name);
      if (profile.flow === 'device_code') return signInDevice({ service: this.#service, flows: this.#flows, emit: (event) => this.#emit(event) }, profile, { options, timeoutSeconds, username, password });
      // The implicit and hybrid flows (legacy) go through the browser like the code flow.
      if (profile.flow !== 'authorization_code' && !isFrontChannelFlow(profile.flow)) return this.#signInDirect(profile, username, password);
      if (username !== undefined || password !== undefined) throw new DeskError('USAGE', 'A username and password are taken only by a profile of the password or Okta session token flow; this one signs in through the browser.');
      const { started, session } = await this.#service.signIn(profile, { ...options, ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 }) });
      const flowId = started.id;
      this.#flows.set(flowId, started);
      this.#emit({ type: 'sign-in-started', flowId, profile: profile.name, expiresAt: started.expiresAt });
      session.then(
        (view) => this.#emit({ type: 'sign-in-completed', flowId, session: view, strayRequests: started.strayRequests }),
        (error: unknown) => this.#emit({ type: 'sign-in-failed', flowId, error: errorView(error), strayRequests: started.strayRequests }),
      ).finally(() => this.#flows.delete(flowId));
      return { flowId, profile: profile.name, authorizationUrl: started.authorizationUrl, redirectUri: started.redirectUri, expiresAt: started.expiresAt, ...(started.requestUriExpiresAt === undefined ? {} : { requestUriExpiresAt: started.requestUriExpiresAt }) };
    });
  }

  /** A sign-in without a browser: the events every front hears, and the session. */
  async #signInDirect(profile: Profile, username: string | undefined, password: string | undefined): Promise<SignInDone> {
    if (profile.flow === 'password' && (username === undefined || password === undefined)) throw new DeskError('USAGE', 'The password flow needs "username" and "password".');
    if (profile.flow === 'okta_session_token' && (username === undefined || password === undefined)) throw new DeskError('USAGE', 'The Okta session token flow needs "username" and "password".');
    if (profile.flow !== 'password' && profile.flow !== 'okta_session_token' && (username !== undefined || password !== undefined)) throw new DeskError('USAGE', 'The client credentials flow takes no username or password.');
    const flowId = directFlowId();
    this.#emit({ type: 'sign-in-started', flowId, profile: profile.name, expiresAt: this.#service.now() });
    try {
      const session = await this.#service.signInDirect(profile, flowId, username === undefined || password === undefined ? undefined : { username, password });
      this.#emit({ type: 'sign-in-completed', flowId, session, strayRequests: 0 });
      return { flowId, profile: profile.name, session };
    } catch (error) {
      this.#emit({ type: 'sign-in-failed', flowId, error: errorView(error), strayRequests: 0 });
      throw error;
    }
  }

  clientCredential(input: unknown) {
    return this.#run('clientCredential', input, async ({ profile }) => this.#service.clientCredential(await this.#confidential(profile)));
  }

  setClientSecret(input: unknown) {
    return this.#run('setClientSecret', input, async ({ profile, secret }): Promise<ClientCredentialView> => this.#service.setClientSecret(await this.#confidential(profile), secret));
  }

  generateClientKey(input: unknown) {
    return this.#run('generateClientKey', input, async ({ profile, alg }) => this.#service.generateClientKey(await this.#confidential(profile), alg ?? 'ES256'));
  }

  /** The profile, when it may hold a client credential (its flow is not the public code flow). */
  async #confidential(name: string): Promise<Profile> {
    const profile = await this.#service.profiles.get(name);
    if (profile.flow === 'authorization_code') throw new DeskError('USAGE', 'This profile signs in as a public client (authorization code with PKCE): it has no client secret or key.');
    if (profile.flow === 'okta_session_token') throw new DeskError('USAGE', 'This profile signs in as a public client (the code flow with PKCE, through Okta\'s Authentication API): it has no client secret or key.');
    if (isFrontChannelFlow(profile.flow)) throw new DeskError('USAGE', `This profile signs in as a public client (the ${profile.flow} flow): it has no client secret or key.`);
    return profile;
  }

  cancelSignIn(input: unknown) {
    return this.#run('cancelSignIn', input, ({ flowId, reason }) => {
      const flow = this.#flows.get(flowId);
      if (flow === undefined) throw new DeskError('USAGE', 'No sign-in with that id is waiting.');
      if (reason === 'request-uri-expired' && flow.expireRequestUri?.() === true) return null;
      flow.cancel();
      return null;
    });
  }

  listSessions(input?: unknown) {
    return this.#run('listSessions', input, () => this.#service.list());
  }

  getSession(input: unknown) {
    return this.#run('getSession', input, ({ sessionId }) => this.#service.view(sessionId));
  }

  refreshSession(input: unknown) {
    return this.#run('refreshSession', input, ({ sessionId }) => this.#service.refresh(sessionId));
  }

  getUserinfo(input: unknown) {
    return this.#run('getUserinfo', input, ({ sessionId }) => this.#service.userinfo(sessionId));
  }

  introspectToken(input: unknown) {
    return this.#run('introspectToken', input, ({ sessionId, token }) => this.#service.introspect(sessionId, token));
  }

  revokeToken(input: unknown) {
    return this.#run('revokeToken', input, ({ sessionId, token }) => this.#service.revoke(sessionId, token));
  }

  signOut(input: unknown) {
    return this.#run('signOut', input, async ({ sessionId, revoke, endSession }): Promise<SignOutView> => {
      const client = this.#service.clientEntryOf(sessionId);
      const { endSession: logout, ...outcome } = await this.#service.signOut(sessionId, {
        ...(revoke === undefined ? {} : { revoke }),
        ...(endSession === undefined ? {} : { endSession }),
      });
      // The last session of a client whose profile was removed takes the client's secret with it.
      if (client !== undefined) await this.#service.releaseClient(client, await this.#service.profiles.list()).catch(() => false);
      if (logout === undefined) return { sessionId, ...outcome };
      const flowId = logout.flowId;
      logout.result.then(
        () => this.#emit({ type: 'end-session', flowId }),
        (error: unknown) => this.#emit({ type: 'end-session', flowId, error: errorView(error) }),
      );
      return { sessionId, ...outcome, endSession: { flowId, url: logout.url } };
    });
  }

  revealToken(input: unknown) {
    return this.#run('revealToken', input, ({ sessionId, type, minValiditySeconds }) => this.#service.reveal(sessionId, type, minValiditySeconds));
  }

  inspectJwt(input: unknown) {
    return this.#run('inspectJwt', input, async (args): Promise<JwtInspection> => {
      return 'token' in args ? this.#service.inspectPasted(args.token) : this.#service.inspect(args.sessionId);
    });
  }

  sessionTimeline(input: unknown) {
    return this.#run('sessionTimeline', input, ({ sessionId }) => this.#exchanges.entries({ sessionId: this.#service.view(sessionId).id }));
  }

  exportHar(input: unknown) {
    return this.#run('exportHar', input, ({ sessionId }) => exchangesToHar(this.#exchanges.entries({ sessionId: this.#service.view(sessionId).id }), { version: this.#version }));
  }

  keychainStatus(input?: unknown) {
    return this.#run('keychainStatus', input, () => this.#service.keychain());
  }

  startupProblems(input?: unknown) {
    return this.#run('startupProblems', input, () => (this.#service.startupProblem === undefined ? [] : [this.#service.startupProblem]));
  }

  demoProvider(input?: unknown) {
    return this.#run('demoProvider', input, () => this.#demo.state());
  }

  ensureDemoProvider(input?: unknown) {
    return this.#run('ensureDemoProvider', input, async () => {
      const { provider, profile: wanted } = await this.#demo.ensure();
      const profiles = this.#service.profiles;
      const existing = (await profiles.list()).find((p) => p.name === wanted.name);
      if (existing !== undefined && existing.issuer === wanted.issuer && existing.clientId === wanted.clientId) return { provider, profile: profileView(existing) };
      // A "demo" profile the user made for another provider is not the ready-made one: it is left alone.
      if (existing !== undefined && existing.clientId !== wanted.clientId) throw new DeskError('PROFILE_EXISTS', 'A profile named "demo" of your own exists already; rename it to use the demo provider.');
      const profile = existing === undefined ? await profiles.add(wanted) : await profiles.update(wanted.name, wanted);
      return { provider, profile: profileView(profile) };
    });
  }

  schemeStatus(input: unknown) {
    return this.#run('schemeStatus', input, async ({ profile }) => {
      const host = requireSchemeHost(this.#schemes);
      return schemeStatus(host, await this.#service.profiles.get(profile));
    });
  }

  testScheme(input: unknown) {
    return this.#run('testScheme', input, async ({ profile }) => {
      const host = requireSchemeHost(this.#schemes);
      return testScheme(host, await this.#service.profiles.get(profile));
    });
  }
}
