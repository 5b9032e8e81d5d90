/**
 * Browser mode for tests: a real browser-mode server over a real desk (its own data directory; the real
 * keychain under a service of its own when the test keyring runs, else memory), requests with plain
 * fetch or with any forged header (node:http, for `Host`), and the event stream read as a page would.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DeskEvent, Result } from '../../src-main/core/contract.ts';
import { openDesk, type Desk } from '../../src-main/core/desk.ts';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../../src-main/core/store/memory-secret-store.ts';
import type { SecretStore } from '../../src-main/core/store/secret-store.ts';
import { startWebServer, type WebServer, type WebServerOptions } from '../../src-main/web/server.ts';
import { recordSecrets } from './secrets-ledger.ts';

export const KEYRING = process.env['OIDC_DESK_TEST_KEYRING'] === '1';
let count = 0;

/** A running server over its own desk. */
export interface TestWeb {
  readonly desk: Desk;
  readonly server: WebServer;
  readonly dataDir: string;
  readonly secrets: SecretStore;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** The real keychain (a service of this test's own) under the test keyring, else a memory store that says it persists. */
export function testSecrets(): SecretStore {
  if (KEYRING) return new KeytarSecretStore({ service: `OIDC Desk web test ${process.pid} ${++count}` });
  const memory = new MemorySecretStore();
  Object.defineProperty(memory, 'persistent', { value: true });
  return memory;
}

/** Every server started here and not closed yet: {@link closeTestWebs} ends them (for a test file's `after`, when a test failed half-way). */
const running = new Set<TestWeb>();

/** Closes every server this file started that is still open. */
export async function closeTestWebs(): Promise<void> {
  await Promise.all([...running].map((w) => w.close()));
}

/** Opens a desk over a new data directory and starts a browser-mode server on it. */
export async function startTestWeb(options: Omit<WebServerOptions, 'api'> = {}): Promise<TestWeb> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-web-'));
  const secrets = testSecrets();
  const desk = await openDesk({ dataDir, secrets, watch: true });
  const server = await startWebServer({ ...options, api: desk.api });
  recordSecrets(new URL(server.connectUrl).searchParams.get('token'));
  const web: TestWeb = {
    desk,
    server,
    dataDir,
    secrets,
    origin: server.origin,
    close: async () => {
      running.delete(web);
      await server.close();
      desk.close();
    },
  };
  running.add(web);
  return web;
}

/** Headers of every response browser mode must carry. */
export function assertSecurityHeaders(headers: Headers | Readonly<Record<string, string | string[] | undefined>>, what: string): void {
  const get = (name: string): string | null => {
    if (headers instanceof Headers) return headers.get(name);
    const v = headers[name];
    return v === undefined ? null : String(v);
  };
  assert.equal(get('content-security-policy'), "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'", `${what}: the strict CSP`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(get('referrer-policy'), 'no-referrer', `${what}: no referrer`);
  assert.equal(get('x-frame-options'), 'DENY', `${what}: no framing`);
  assert.equal(get('cache-control'), 'no-store', `${what}: no-store`);
  const names = headers instanceof Headers ? [...headers.keys()] : Object.keys(headers);
  assert.deepEqual(names.filter((n) => n.toLowerCase().startsWith('access-control-')), [], `${what}: no CORS header`);
}

/** The session cookie (`name=value`) that presenting the connection token gives, recorded as a secret. */
export async function connect(server: WebServer): Promise<string> {
  const res = await fetch(server.connectUrl, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 200, 'the connection token is accepted');
  const set = res.headers.get('set-cookie') ?? '';
  const cookie = set.split(';')[0] ?? '';
  recordSecrets(cookie.split('=')[1]);
  assert.match(cookie, /^oidc-desk-\d+=[A-Za-z0-9_-]{43}$/);
  return cookie;
}

/** A POST to an operation as the page sends it (JSON, the page's own Origin and Sec-Fetch-Site), plus `headers`. */
export async function post(origin: string, operation: string, input: unknown, cookie: string | undefined, headers: Readonly<Record<string, string>> = {}): Promise<Response> {
  return fetch(`${origin}/api/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin', ...(cookie === undefined ? {} : { cookie }), ...headers },
    body: JSON.stringify(input ?? null),
    redirect: 'manual',
  });
}

/** The bodies of every API answer and the text of every event stream read through this harness. */
const answers: string[] = [];
const streams = new Set<{ text(): string }>();

/** Everything the servers answered through {@link callApi} and {@link openEvents} in this file: grep it for what must never be sent. */
export function everythingAnswered(): string {
  return [...answers, ...[...streams].map((s) => s.text())].join('\n');
}

/** Calls an operation as the page does and returns its Result (asserting a 200 with the security headers). */
export async function callApi<T>(origin: string, operation: string, input: unknown, cookie: string): Promise<Result<T>> {
  const res = await post(origin, operation, input, cookie);
  assertSecurityHeaders(res.headers, `POST /api/${operation}`);
  assert.equal(res.status, 200, `POST /api/${operation}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = await res.text();
  answers.push(body);
  return JSON.parse(body) as Result<T>;
}

/** The value of a call that must succeed. */
export async function value<T>(origin: string, operation: string, input: unknown, cookie: string): Promise<T> {
  const r = await callApi<T>(origin, operation, input, cookie);
  if (!r.ok) assert.fail(`${operation}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** A raw HTTP/1.1 request with any headers (fetch cannot forge `Host`). */
export function rawRequest(port: number, options: { readonly method?: string; readonly path?: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {}, setHost: options.headers?.['host'] === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An open event stream, parsed as a browser's EventSource would. */
export interface EventStreamReader {
  readonly status: number;
  readonly headers: Headers;
  /** Every event so far, with its `id`. */
  readonly events: { readonly id: number; readonly event: DeskEvent }[];
  /** The raw text so far (heartbeat comments included). */
  text(): string;
  /** Resolves with the first event (already received or to come) that `match` accepts; rejects after `limitMs` (a safety net, not a timing assertion). */
  next(match: (e: DeskEvent) => boolean, limitMs?: number): Promise<DeskEvent>;
  close(): void;
}

/** Opens `GET /api/events` as a same-origin page would (no Origin, Sec-Fetch-Site: same-origin), plus `headers`. */
export async function openEvents(origin: string, cookie: string | undefined, headers: Readonly<Record<string, string>> = {}): Promise<EventStreamReader> {
  const abort = new AbortController();
  const res = await fetch(`${origin}/api/events`, {
    headers: { 'sec-fetch-site': 'same-origin', accept: 'text/event-stream', ...(cookie === undefined ? {} : { cookie }), ...headers },
    signal: abort.signal,
  });
  const events: { id: number; event: DeskEvent }[] = [];
  const waiters: { match: (e: DeskEvent) => boolean; resolve: (e: DeskEvent) => void }[] = [];
  let raw = '';
  let pending = '';
  if (res.status === 200 && res.body !== null) {
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          raw += text;
          pending += text;
          let end: number;
          while ((end = pending.indexOf('\n\n')) >= 0) {
            const block = pending.slice(0, end);
            pending = pending.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data === undefined) continue;
            const event = JSON.parse(data) as DeskEvent;
            events.push({ id: Number(id), event });
            for (const w of [...waiters]) {
              if (w.match(event)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(event);
              }
            }
          }
        }
      } catch {
        // aborted, or the server went away
      }
    })();
  } else {
    await res.arrayBuffer().catch(() => undefined);
  }
  const reader: EventStreamReader = {
    status: res.status,
    headers: res.headers,
    events,
    text: () => raw,
    next: (match, limitMs = 30_000) => {
      const seen = events.find((e) => match(e.event));
      if (seen !== undefined) return Promise.resolve(seen.event);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.findIndex((w) => w.match === match), 1);
          reject(new Error(`no matching event within ${limitMs} ms; got: ${events.map((e) => e.event.type).join(', ')}`));
        }, limitMs);
        waiters.push({ match, resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        } });
      });
    },
    close: () => abort.abort(),
  };
  streams.add(reader);
  return reader;
}

/** Every file under a directory with the SHA-256 of its content: what "nothing changed" is checked against. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out[relative(dir, full)] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}
