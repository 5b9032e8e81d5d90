/**
 * The test IdP process (started by test/harness/idp.ts): the product's demo provider with per-route
 * request counters and the test-only routes that read them (`GET /__admin/counts`, `POST /__admin/counts/reset`).
 * None of this is in the shipped demo provider.
 *
 * `node --import tsx test/harness/counting-idp.ts [--port N] [--jwks-file F] [--config-file F]
 *   [--access-token-ttl S] [--id-token-ttl S] [--refresh-token-ttl S]`; prints `READY_PREFIX {"issuer":...}` once it listens.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { registerTestPasswordGrant } from './password-grant.ts';
import { createOktaStandIn, OKTA_ORG_ROUTES, parseOktaStandInConfig, type OktaStandInConfig } from './okta-authn-stand-in.ts';
import { configureDeviceFlow } from './device-flow.ts';
import { createDemoProvider, DEMO_USERS, type DemoClient, type DemoUser, type KoaContextLike, type PrivateJwks } from '../../src-main/demo-idp/provider.ts';
import { serveOnLoopback } from '../../src-main/demo-idp/server.ts';
import { READY_PREFIX, type RequestCounts } from './idp.ts';

/** The login/consent pages the demo provider serves itself (before oidc-provider's router). */
const INTERACTION_PATH = /^\/interaction\/[A-Za-z0-9_-]{1,128}(?:\/(?:login|confirm|abort))?$/;

/** The counter key of a request oidc-provider routed, e.g. `token:refresh_token`; undefined for unrouted paths. */
function routeKey(ctx: KoaContextLike): string | undefined {
  const oidc = ctx.oidc;
  const route = oidc?.route;
  if (typeof route !== 'string' || route.length === 0) return undefined;
  if (route === 'token') {
    const grantType = oidc?.params?.['grant_type'];
    return `token:${typeof grantType === 'string' && grantType.length > 0 ? grantType : 'unknown'}`;
  }
  return route;
}

function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i === -1) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

function intArg(argv: readonly string[], name: string): number | undefined {
  const raw = argValue(argv, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

function assertJwks(value: unknown): asserts value is PrivateJwks {
  if (!isRecord(value) || !Array.isArray(value['keys']) || !value['keys'].every(isRecord)) {
    throw new Error('--jwks-file must hold a JWK Set: {"keys":[...]}');
  }
}

/** `{ users?, clients? }` from --config-file; shapes are checked loosely, oidc-provider validates clients. */
/** Grants beyond the demo provider's, for tests of the flows without a browser. */
interface TestGrants {
  readonly clientCredentials?: boolean;
  /** The test-only password grant (see password-grant.ts). */
  readonly password?: boolean;
  /** Scopes a client credentials token may carry (an API's own). */
  readonly apiScopes?: readonly string[];
  /** Lifetime of a client credentials token, seconds (oidc-provider's default: 10 minutes). */
  readonly clientCredentialsTtl?: number;
  /** The implicit and hybrid response types (OIDC Core §3.2, §3.3) beside `code`. */
  readonly frontChannel?: boolean;
  /** oidc-provider's device flow (RFC 8628), with the test pages of device-flow.ts. */
  readonly deviceFlow?: boolean;
  /** Lifetime of a device code, seconds (oidc-provider's default: 10 minutes). */
  readonly deviceCodeTtl?: number;
}

/** PAR and DPoP beyond oidc-provider's defaults (both are on), and JWT access tokens for one resource. */
interface TestSenderConstraints {
  parRequired?: boolean;
  dpopNonces?: boolean;
  jwtAccessTokens?: { readonly resource: string; readonly scope: string };
}

type TestConfig = { users?: DemoUser[]; clients?: DemoClient[]; grants?: TestGrants; okta?: OktaStandInConfig } & TestSenderConstraints;

/** oidc-provider's configuration for {@link TestSenderConstraints}. */
function configureSenderConstraints(configuration: Record<string, unknown>, config: TestSenderConstraints): void {
  const features = configuration['features'] as Record<string, unknown>;
  if (config.parRequired === true) features['pushedAuthorizationRequests'] = { enabled: true, requirePushedAuthorizationRequests: true };
  if (config.dpopNonces === true) features['dPoP'] = { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true };
  const jwt = config.jwtAccessTokens;
  if (jwt !== undefined) {
    configuration['scopes'] = [...(configuration['scopes'] as string[]), ...jwt.scope.split(' ')];
    features['resourceIndicators'] = {
      enabled: true,
      defaultResource: () => jwt.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: jwt.scope, audience: jwt.resource, accessTokenFormat: 'jwt', accessTokenTTL: 300 }),
    };
  }
}

/** Every response type the provider offers with `frontChannel`. */
const FRONT_CHANNEL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

function parseConfig(value: unknown): TestConfig {
  if (!isRecord(value)) throw new Error('--config-file must hold a JSON object');
  const out: TestConfig = {};
  if (value['okta'] !== undefined) out.okta = parseOktaStandInConfig(value['okta']);
  if (isRecord(value['par']) && value['par']['required'] === true) out.parRequired = true;
  if (isRecord(value['dpop']) && value['dpop']['nonces'] === true) out.dpopNonces = true;
  const jwt = value['jwtAccessTokens'];
  if (isRecord(jwt) && typeof jwt['resource'] === 'string' && typeof jwt['scope'] === 'string') out.jwtAccessTokens = { resource: jwt['resource'], scope: jwt['scope'] };
  if (isRecord(value['grants'])) {
    const g = value['grants'];
    out.grants = {
      clientCredentials: g['clientCredentials'] === true,
      password: g['password'] === true,
      apiScopes: Array.isArray(g['apiScopes']) ? g['apiScopes'].filter((s): s is string => typeof s === 'string') : [],
      ...(typeof g['clientCredentialsTtl'] === 'number' ? { clientCredentialsTtl: g['clientCredentialsTtl'] } : {}),
      ...(g['frontChannel'] === true ? { frontChannel: true } : {}),
      deviceFlow: g['deviceFlow'] === true,
      ...(typeof g['deviceCodeTtl'] === 'number' ? { deviceCodeTtl: g['deviceCodeTtl'] } : {}),
    };
  }
  if (value['users'] !== undefined) {
    const users = value['users'];
    if (!Array.isArray(users) || !users.every((u) => isRecord(u)
      && ['sub', 'username', 'password', 'name', 'email'].every((k) => typeof u[k] === 'string')
      && typeof u['emailVerified'] === 'boolean')) {
      throw new Error('config users must be DemoUser objects');
    }
    out.users = users as DemoUser[];
  }
  if (value['clients'] !== undefined) {
    const clients = value['clients'];
    if (!Array.isArray(clients) || !clients.every((c) => isRecord(c) && typeof c['client_id'] === 'string')) {
      throw new Error('config clients must be client metadata objects with client_id');
    }
    out.clients = clients as DemoClient[];
  }
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const jwksFile = argValue(argv, '--jwks-file');
  const configFile = argValue(argv, '--config-file');
  let jwks: PrivateJwks | undefined;
  if (jwksFile !== undefined) {
    const value = await readJson(jwksFile);
    assertJwks(value);
    jwks = value;
  }
  const config = configFile === undefined ? {} : parseConfig(await readJson(configFile));
  const ttl: { accessToken?: number; idToken?: number; refreshToken?: number } = {};
  const accessToken = intArg(argv, '--access-token-ttl');
  const idToken = intArg(argv, '--id-token-ttl');
  const refreshToken = intArg(argv, '--refresh-token-ttl');
  if (accessToken !== undefined) ttl.accessToken = accessToken;
  if (idToken !== undefined) ttl.idToken = idToken;
  if (refreshToken !== undefined) ttl.refreshToken = refreshToken;

  const counts = new Map<string, number>();
  const count = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  const running = await serveOnLoopback(intArg(argv, '--port') ?? 0, async (issuer) => {
    const demo = await createDemoProvider({
      issuer,
      ...(jwks ? { jwks } : {}),
      ...(config.users ? { users: config.users } : {}),
      ...(config.clients ? { clients: config.clients } : {}),
      ttl,
      configure: (configuration) => {
        configureSenderConstraints(configuration, config);
        const grants = config.grants;
        if (grants?.clientCredentials === true) {
          configuration['features'] = { ...(configuration['features'] as Record<string, unknown>), clientCredentials: { enabled: true } };
          configuration['scopes'] = [...(configuration['scopes'] as string[]), ...(grants.apiScopes ?? [])];
          if (grants.clientCredentialsTtl !== undefined) configuration['ttl'] = { ...(configuration['ttl'] as Record<string, unknown>), ClientCredentials: grants.clientCredentialsTtl };
        }
        // In front of an Okta stand-in the provider answers on the paths of an Okta org authorization server.
        if (config.okta !== undefined) configuration['routes'] = { ...OKTA_ORG_ROUTES };
        if (grants?.frontChannel === true) configuration['responseTypes'] = FRONT_CHANNEL_RESPONSE_TYPES;
        if (grants?.deviceFlow === true) configureDeviceFlow(configuration, { deviceCodeTtl: grants.deviceCodeTtl });
      },
    });
    if (config.grants?.password === true) registerTestPasswordGrant(demo.provider, config.users ?? DEMO_USERS);
    // Before callback(): oidc-provider composes its middleware there. Read after the route ran, when
    // oidc-provider has parsed the body into ctx.oidc.params.
    demo.provider.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        const key = routeKey(ctx);
        if (key !== undefined) count(key);
      }
    });
    const providerHandler = demo.provider.callback();
    const okta = config.okta === undefined ? undefined : createOktaStandIn(config.okta, issuer);
    return (req, res) => {
      if (okta?.handle(req, res, providerHandler) === true) return;
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === '/__admin/counts' && req.method === 'GET') {
        const body: RequestCounts = Object.fromEntries(counts);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
        return;
      }
      if (path === '/__admin/counts/reset' && req.method === 'POST') {
        counts.clear();
        res.writeHead(204).end();
        return;
      }
      if (INTERACTION_PATH.test(path)) count('interaction');
      providerHandler(req, res);
    };
  });

  const stop = (): void => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${READY_PREFIX} ${JSON.stringify({ issuer: running.issuer })}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`test-idp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
