/** Runs Debian's Glewlwyd (an OpenID provider in C) as a child process for tests, configured through its admin REST API. */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

/** Where Debian's `glewlwyd` package (2.7.5) puts what the harness needs. */
export const GLEWLWYD_PATHS = {
  binary: '/usr/bin/glewlwyd',
  sqlite3: '/usr/bin/sqlite3',
  initSql: '/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz',
  webapp: '/usr/share/glewlwyd/webapp',
  webappConfig: '/etc/glewlwyd/config-2.7.json/config.json',
  modules: '/usr/lib/glewlwyd',
} as const;

/** The user the harness creates; its password only ever exists in these throwaway providers. */
export const GLEWLWYD_USER = {
  username: 'alice',
  password: 'alice-glewlwyd-password',
  name: 'Alice Glewlwyd',
  email: 'alice@glewlwyd.example',
} as const;

export const GLEWLWYD_CLIENT_ID = 'oidc-desk';
export const GLEWLWYD_PLUGIN = 'oidc';
/** The scopes created (besides Glewlwyd's own `openid`), granted to the user and listed in discovery. */
export const GLEWLWYD_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Glewlwyd's shipped administrator (init.sqlite3.sql). */
const ADMIN = { username: 'admin', password: 'password' } as const;
const SESSION_COOKIE = 'GLEWLWYD2_SESSION_ID';

/** Why the Glewlwyd tests cannot run here, or undefined when they can. */
export function glewlwydUnavailable(): string | undefined {
  const missing = Object.entries(GLEWLWYD_PATHS).filter(([, path]) => !existsSync(path)).map(([, path]) => path);
  if (missing.length === 0) return undefined;
  return `needs Debian's glewlwyd package (apt-get install glewlwyd, as .ci/run does): missing ${missing.join(', ')}`;
}

export interface StartGlewlwydOptions {
  /** The loopback port registered in the client's redirect URI; default: a port free at start. */
  readonly redirectPort?: number;
  /** Access token lifetime in seconds (default 300). */
  readonly accessTokenSeconds?: number;
  /** How long to wait for the HTTP server to answer; default 20 s. */
  readonly readyTimeoutMs?: number;
}

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface Glewlwyd {
  /** `http://127.0.0.1:PORT/api/oidc`: exactly the `issuer` of its discovery document. */
  readonly issuer: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly clientId: string;
  /** `http://127.0.0.1:<redirectPort>/callback`, the only redirect URI registered. */
  readonly redirectUri: string;
  readonly redirectPort: number;
  readonly user: typeof GLEWLWYD_USER;
  /** Milliseconds from spawn to a configured provider (process start, admin login, API configuration). */
  readonly setupMs: { readonly start: number; readonly configure: number };
  /** A request to the admin API (`/api/...`) with the administrator's session cookie. */
  admin(method: string, path: string, body?: unknown): Promise<AdminResponse>;
  /** SIGTERM, waits for the exit (SIGKILL after 5 s), removes the temp directory. Idempotent. */
  stop(): Promise<void>;
}

/** A 127.0.0.1 port free at the time of the call (bound, then released). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('glewlwyd harness: no free port');
  return address.port;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** libconfig text for one Glewlwyd instance (see /usr/share/doc/glewlwyd/glewlwyd.conf.sample.gz). */
function configText(dir: string, port: number): string {
  const origin = `http://127.0.0.1:${port}`;
  const mime = [
    ['.html', 'text/html', 1], ['.css', 'text/css', 1], ['.js', 'application/javascript', 1],
    ['.json', 'application/json', 1], ['.png', 'image/png', 0], ['.ico', 'image/x-icon', 0],
    ['.svg', 'image/svg+xml', 1], ['.ttf', 'font/ttf', 0], ['.woff', 'font/woff', 0], ['.woff2', 'font/woff2', 0],
  ].map(([ext, type, compress]) => `  { extension = "${ext}"; mime_type = "${type}"; compress = ${compress}; }`).join(',\n');
  // No use_secure_connection line at all: `use_secure_connection=false` without key/pem paths makes it refuse to start.
  return `port=${port}
bind_address="127.0.0.1"
external_url="${origin}"
login_url="login.html"
api_prefix="api"
static_files_path="${join(dir, 'webapp')}/"
allow_origin="${origin}"
log_mode="console"
log_level="WARNING"
cookie_domain="127.0.0.1"
cookie_secure=0
session_expiration=3600
session_key="${SESSION_COOKIE}"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${GLEWLWYD_PATHS.modules}/user"
user_middleware_module_path="${GLEWLWYD_PATHS.modules}/user_middleware"
client_module_path="${GLEWLWYD_PATHS.modules}/client"
user_auth_scheme_module_path="${GLEWLWYD_PATHS.modules}/scheme"
plugin_module_path="${GLEWLWYD_PATHS.modules}/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "${join(dir, 'glewlwyd.db')}"; };
static_files_mime_types = (
${mime}
)
`;
}

/** The database from the package's init script (sqlite3 is a dependency of the package). */
async function createDatabase(dir: string): Promise<void> {
  const sql = gunzipSync(await readFile(GLEWLWYD_PATHS.initSql));
  const r = spawnSync(GLEWLWYD_PATHS.sqlite3, [join(dir, 'glewlwyd.db')], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`glewlwyd harness: sqlite3 init failed (${r.status ?? r.signal}): ${r.stderr}`);
}

/**
 * A private copy of the login web app with links resolved: Glewlwyd's static file server answers 404 for a
 * symbolic link leading outside its directory, and Debian's webapp links its scripts, styles and fonts into
 * /usr/share/javascript etc., and its config.json to a directory (/etc/glewlwyd/config-2.7.json).
 */
async function copyWebapp(dir: string): Promise<void> {
  const target = join(dir, 'webapp');
  await cp(GLEWLWYD_PATHS.webapp, target, {
    recursive: true,
    dereference: true,
    filter: (source) => source !== join(GLEWLWYD_PATHS.webapp, 'config.json'),
  });
  await writeFile(join(target, 'config.json'), await readFile(GLEWLWYD_PATHS.webappConfig));
}

/** An RS256 signing key as the private JWKS the OIDC plugin takes (`jwks-private`, a JSON string). */
async function signingJwks(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'oidc-desk-test-1', alg: 'RS256', use: 'sig' }] });
}

/** Polls GET /config (the one unauthenticated core endpoint) until the server answers. */
async function waitReady(origin: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`glewlwyd exited before it answered (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    const ok = await fetch(`${origin}/config`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`glewlwyd did not answer within ${timeoutMs} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Logs in as the administrator: the session is the `GLEWLWYD2_SESSION_ID` cookie set by POST /api/auth/. */
async function adminSession(origin: string): Promise<string> {
  const res = await fetch(`${origin}/api/auth/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`glewlwyd harness: admin login answered ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (cookie === undefined) throw new Error('glewlwyd harness: admin login set no session cookie');
  return cookie;
}

/** The OIDC plugin instance: code + PKCE S256 required, one-time refresh tokens, revocation/introspection on, RS256. */
function pluginInstance(issuer: string, jwks: string, accessTokenSeconds: number): Record<string, unknown> {
  return {
    module: 'oidc',
    name: GLEWLWYD_PLUGIN,
    display_name: 'OIDC Desk tests',
    enabled: true,
    parameters: {
      iss: issuer,
      'jwks-private': jwks,
      'default-kid': 'oidc-desk-test-1',
      'jwks-show': true,
      'access-token-duration': accessTokenSeconds,
      'refresh-token-duration': 86_400,
      'code-duration': 600,
      'refresh-token-rolling': true,
      'refresh-token-one-use': 'always',
      'auth-type-code-enabled': true,
      'auth-type-code-revoke-replayed': true,
      'auth-type-refresh-enabled': true,
      'auth-type-token-enabled': false,
      'auth-type-password-enabled': false,
      'auth-type-client-enabled': false,
      'auth-type-device-enabled': false,
      'auth-type-none-enabled': false,
      'allow-non-oidc': false,
      'pkce-allowed': true,
      'pkce-method-plain-allowed': false,
      'pkce-required': true,
      'introspection-revocation-allowed': true,
      'introspection-revocation-allow-target-client': true,
      // RFC 9207: `iss` in the authorization response.
      'oauth-as-iss-id': true,
      'allowed-scope': [...GLEWLWYD_SCOPES],
      'subject-type': 'public',
      'name-claim': 'mandatory',
      'email-claim': 'mandatory',
      'scope-claim': 'no',
    },
  };
}

/**
 * Starts Glewlwyd on a free 127.0.0.1 port in a temp directory and configures it through its admin API:
 * scopes, a user, the OIDC plugin instance and a native public client with one exact loopback redirect URI.
 * Prints nothing; the process log is kept in memory for error messages only.
 */
export async function startGlewlwyd(opts: StartGlewlwydOptions = {}): Promise<Glewlwyd> {
  const unavailable = glewlwydUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-glewlwyd-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let logTail = '';
  try {
    const [jwks] = await Promise.all([signingJwks(), createDatabase(dir), copyWebapp(dir)]);
    const port = await freeLoopbackPort();
    const origin = `http://127.0.0.1:${port}`;
    const configFile = join(dir, 'glewlwyd.conf');
    await writeFile(configFile, configText(dir, port), { mode: 0o600 });
    child = spawn(GLEWLWYD_PATHS.binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    exited = waitForExit(child);
    // A test process that dies without stop() must not leave a provider running (or its directory behind).
    const spawned = child;
    const onExit = (): void => {
      spawned.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);
    void exited.then(() => process.removeListener('exit', onExit));
    const keep = (chunk: Buffer): void => {
      logTail = `${logTail}${chunk.toString('utf8')}`.slice(-6_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitReady(origin, child, opts.readyTimeoutMs ?? 20_000, () => logTail);
    const startMs = performance.now() - started;

    const cookie = await adminSession(origin);
    const admin = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
      const res = await fetch(`${origin}/api${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    };
    const must = async (method: string, path: string, body: unknown, what: string): Promise<void> => {
      const r = await admin(method, path, body);
      if (r.status !== 200) throw new Error(`glewlwyd harness: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
    };

    for (const scope of GLEWLWYD_SCOPES.filter((s) => s !== 'openid')) {
      await must('POST', '/scope/', {
        name: scope, display_name: scope, description: `${scope} (OIDC Desk tests)`,
        password_required: true, password_max_age: 0, scheme: {},
      }, `creating scope ${scope}`);
    }
    await must('POST', '/user/', {
      username: GLEWLWYD_USER.username, password: GLEWLWYD_USER.password, name: GLEWLWYD_USER.name,
      email: GLEWLWYD_USER.email, scope: [...GLEWLWYD_SCOPES], enabled: true,
    }, 'creating the user');
    const issuer = `${origin}/api/${GLEWLWYD_PLUGIN}`;
    await must('POST', '/mod/plugin/', pluginInstance(issuer, jwks, opts.accessTokenSeconds ?? 300), 'creating the OIDC plugin instance');
    const redirectPort = opts.redirectPort ?? await freeLoopbackPort();
    const redirectUri = `http://127.0.0.1:${redirectPort}/callback`;
    await must('POST', '/client/', {
      client_id: GLEWLWYD_CLIENT_ID, name: 'OIDC Desk', description: 'native public client (tests)', enabled: true,
      confidential: false, redirect_uri: [redirectUri], authorization_type: ['code', 'refresh_token'],
      token_endpoint_auth_method: ['none'], scope: [],
    }, 'creating the client');
    const configureMs = performance.now() - started - startMs;

    const running = child;
    let stopping: Promise<void> | undefined;
    return {
      issuer, origin, clientId: GLEWLWYD_CLIENT_ID, redirectUri, redirectPort, user: GLEWLWYD_USER,
      setupMs: { start: Math.round(startMs), configure: Math.round(configureMs) },
      admin,
      stop: () => {
        stopping ??= (async () => {
          running.kill('SIGTERM');
          const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (err) {
    child?.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
