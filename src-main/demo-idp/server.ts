/** Runs the demo provider on a 127.0.0.1 HTTP server, in-process or as a script that prints one ready line. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createDemoProvider } from './provider.ts';
import type { DemoClient, DemoTtl, DemoUser, PrivateJwks, RequestCounts } from './provider.ts';

/** The line the script prints on stdout once it listens, followed by `{"issuer":"http://127.0.0.1:NNNN"}`. */
export const READY_PREFIX = 'OIDC_DESK_DEMO_IDP_READY';

export interface StartDemoProviderOptions {
  /** 0 (default) picks an ephemeral port. */
  readonly port?: number;
  /** Only loopback is supported. */
  readonly host?: '127.0.0.1';
  readonly jwks?: PrivateJwks;
  readonly users?: readonly DemoUser[];
  readonly clients?: readonly DemoClient[];
  readonly ttl?: DemoTtl;
  /** oidc-provider's `adapter` factory (default: its in-memory adapter). */
  readonly adapter?: (model: string) => unknown;
}

export interface RunningDemoProvider {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly issuer: string;
  readonly port: number;
  /** Stops listening and drops kept-alive connections. */
  close(): Promise<void>;
  counts(): RequestCounts;
  resetCounts(): void;
}

interface InternalOptions {
  /** Test-only `/__admin/counts` endpoints; the script entry enables them from OIDC_DESK_IDP_TEST_ADMIN=1 only. */
  readonly testAdmin: boolean;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function start(options: StartDemoProviderOptions, internal: InternalOptions): Promise<RunningDemoProvider> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new TypeError('the demo provider listens on 127.0.0.1 only');

  // The issuer carries the port, so bind first, then build the provider for the bound port.
  const current: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (!current.handler) {
      res.writeHead(503).end();
      return;
    }
    current.handler(req, res);
  });
  const port = await listen(server, options.port ?? 0, host);
  const issuer = `http://${host}:${port}`;

  let demo;
  try {
    demo = await createDemoProvider({
      issuer,
      ...(options.jwks ? { jwks: options.jwks } : {}),
      ...(options.users ? { users: options.users } : {}),
      ...(options.clients ? { clients: options.clients } : {}),
      ...(options.ttl ? { ttl: options.ttl } : {}),
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
  } catch (err) {
    server.close();
    throw err;
  }
  const providerHandler = demo.provider.callback();
  const { counts, resetCounts } = demo;

  current.handler = internal.testAdmin
    ? (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/__admin/counts' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(counts()));
      } else if (path === '/__admin/counts/reset' && req.method === 'POST') {
        resetCounts();
        res.writeHead(204).end();
      } else {
        providerHandler(req, res);
      }
    }
    : providerHandler;

  let closing: Promise<void> | undefined;
  return {
    issuer,
    port,
    counts,
    resetCounts,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Starts the demo provider on `127.0.0.1:port` (0 = ephemeral). The product path: no admin endpoints. */
export function startDemoProvider(options: StartDemoProviderOptions = {}): Promise<RunningDemoProvider> {
  return start(options, { testAdmin: false });
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

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertJwks(value: unknown): asserts value is PrivateJwks {
  if (!isRecord(value) || !Array.isArray(value['keys']) || !value['keys'].every(isRecord)) {
    throw new Error('--jwks-file must hold a JWK Set: {"keys":[...]}');
  }
}

/** `{ users?, clients? }` from --config-file; shapes are checked loosely, oidc-provider validates clients. */
function parseConfig(value: unknown): { users?: DemoUser[]; clients?: DemoClient[] } {
  if (!isRecord(value)) throw new Error('--config-file must hold a JSON object');
  const out: { users?: DemoUser[]; clients?: DemoClient[] } = {};
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

/**
 * Script entry: `tsx src-main/demo-idp/server.ts [--port N] [--jwks-file F] [--config-file F]
 * [--access-token-ttl S] [--id-token-ttl S] [--refresh-token-ttl S]`.
 */
async function main(argv: readonly string[]): Promise<void> {
  const port = intArg(argv, '--port') ?? 0;
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

  const running = await start({
    port,
    ...(jwks ? { jwks } : {}),
    ...(config.users ? { users: config.users } : {}),
    ...(config.clients ? { clients: config.clients } : {}),
    ttl,
  }, { testAdmin: process.env['OIDC_DESK_IDP_TEST_ADMIN'] === '1' });

  const stop = (): void => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${READY_PREFIX} ${JSON.stringify({ issuer: running.issuer })}\n`);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`demo-idp: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
