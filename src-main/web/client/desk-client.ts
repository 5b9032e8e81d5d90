/**
 * The browser-mode client, loaded by the page before the renderer: `window.oidcDesk`, one async function
 * per operation of `DeskApi` over `POST /api/<operation>`, and `subscribe` over the `/api/events` stream.
 * A result is never a rejection: an API error is the operation's `{ ok: false }` result, a transport
 * failure `{ ok: false, error: { code: 'HTTP_NETWORK' } }`. Runs in the browser: types only from the core.
 * @module
 */
import type { DeskApi, DeskEvent, DeskOperation, ErrorView, Result } from '../../core/contract.ts';

/** Every operation of `DeskApi`: the type makes the list complete and exact (a unit test compares it with the API's). */
const OPERATIONS: Readonly<Record<DeskOperation, true>> = {
  listProfiles: true,
  addProfile: true,
  updateProfile: true,
  removeProfile: true,
  checkProvider: true,
  startSignIn: true,
  cancelSignIn: true,
  listSessions: true,
  getSession: true,
  refreshSession: true,
  getUserinfo: true,
  introspectToken: true,
  revokeToken: true,
  signOut: true,
  revealToken: true,
  inspectJwt: true,
  sessionTimeline: true,
  exportHar: true,
  keychainStatus: true,
  startupProblems: true,
  demoProvider: true,
  ensureDemoProvider: true,
  clientCredential: true,
  setClientSecret: true,
  generateClientKey: true,
};

function transportError(message: string, status?: number): Result<never> {
  const error: ErrorView = status === undefined ? { code: 'HTTP_NETWORK', message } : { code: 'HTTP_NETWORK', message, status };
  return { ok: false, error };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { ok?: unknown; error?: unknown };
  if (r.ok === true) return 'value' in r;
  return r.ok === false && typeof r.error === 'object' && r.error !== null && typeof (r.error as { code?: unknown }).code === 'string';
}

/** One API call; resolves with the operation's result, or a transport failure. */
async function call(operation: DeskOperation, input: unknown): Promise<Result<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/${operation}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input === undefined ? null : input),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return transportError('OIDC Desk cannot be reached: "oidc-desk ui" may have stopped. Start it again and open the URL it prints.');
  }
  if (response.status === 401) {
    return transportError('This page is not connected to the running OIDC Desk (it was restarted, or the page was opened without its token). Open the URL that "oidc-desk ui" printed or opened.', 401);
  }
  if (response.status !== 200) return transportError(`OIDC Desk answered HTTP ${response.status}.`, response.status);
  try {
    const body: unknown = await response.json();
    if (isResult(body)) return body;
  } catch {
    // falls through: not a result
  }
  return transportError('OIDC Desk answered something that is not a result.', response.status);
}

const listeners = new Set<(event: DeskEvent) => void>();
let source: EventSource | undefined;

function deliver(message: MessageEvent<unknown>): void {
  let event: DeskEvent;
  try {
    event = JSON.parse(String(message.data)) as DeskEvent;
  } catch {
    return;
  }
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      // One listener's failure neither stops the others nor goes unseen.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** Subscribes to every event; the stream opens with the first listener and closes with the last. */
function subscribe(listener: (event: DeskEvent) => void): () => void {
  listeners.add(listener);
  // The browser reconnects a dropped stream by itself, and the server replays what it missed (Last-Event-ID).
  source ??= new EventSource('/api/events');
  source.onmessage = deliver;
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    listeners.delete(listener);
    if (listeners.size === 0) {
      source?.close();
      source = undefined;
    }
  };
}

const api: Record<string, unknown> = { subscribe };
for (const operation of Object.keys(OPERATIONS) as DeskOperation[]) {
  api[operation] = (input?: unknown) => call(operation, input);
}
const oidcDesk = Object.freeze(api) as unknown as DeskApi;

// No global type declaration here: the renderer declares `window.oidcDesk` once, for itself.
Object.defineProperty(window, 'oidcDesk', { value: oidcDesk, enumerable: true, configurable: false, writable: false });
