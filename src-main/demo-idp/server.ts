/** Runs the demo provider on a 127.0.0.1 HTTP server: the port is bound first, then the provider is built for the issuer that port gives. */
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoProvider } from './provider.ts';
import type { DemoClient, DemoTtl, DemoUser, PrivateJwks } from './provider.ts';

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

/**
 * Listens on `127.0.0.1:port` (0 = ephemeral), then serves what `build` makes for the issuer
 * `http://127.0.0.1:<bound port>` (the issuer carries the port, so the provider can only be built once
 * bound; requests before that get 503). Fails with the listen error (e.g. EADDRINUSE) or `build`'s.
 */
export async function serveOnLoopback(port: number, build: (issuer: string) => Promise<RequestListener>): Promise<RunningDemoProvider> {
  const host = '127.0.0.1';
  let handler: RequestListener | undefined;
  const server = createServer((req, res) => {
    if (handler === undefined) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res);
  });
  const bound = await listen(server, port, host);
  const issuer = `http://${host}:${bound}`;
  try {
    handler = await build(issuer);
  } catch (err) {
    server.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    issuer,
    port: bound,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Starts the demo provider on `127.0.0.1:port` (0 = ephemeral): oidc-provider's routes and the demo's own pages, nothing else. */
export function startDemoProvider(options: StartDemoProviderOptions = {}): Promise<RunningDemoProvider> {
  if ((options.host ?? '127.0.0.1') !== '127.0.0.1') return Promise.reject(new TypeError('the demo provider listens on 127.0.0.1 only'));
  return serveOnLoopback(options.port ?? 0, async (issuer) => {
    const demo = await createDemoProvider({
      issuer,
      ...(options.jwks ? { jwks: options.jwks } : {}),
      ...(options.users ? { users: options.users } : {}),
      ...(options.clients ? { clients: options.clients } : {}),
      ...(options.ttl ? { ttl: options.ttl } : {}),
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    return demo.provider.callback();
  });
}
