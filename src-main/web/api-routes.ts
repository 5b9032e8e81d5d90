/**
 * `POST /api/<operation>`: one operation of `DeskApi` per route, its input the JSON body (`null` for
 * none), its `Result` the JSON answer. The API's schemas narrow every input; nothing here reads one.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DESK_OPERATIONS } from '../core/api/schemas.ts';
import type { DeskApi, DeskOperation, Result } from '../core/contract.ts';
import { DeskError } from '../core/errors.ts';
import { BodyError, isJson, readBody } from './request-checks.ts';
import { refuse } from './security-headers.ts';

const OPERATIONS: ReadonlySet<string> = new Set(DESK_OPERATIONS);

/** True for the name of an operation of `DeskApi` (never `subscribe`, nor anything inherited). */
export function isOperation(name: string): name is DeskOperation {
  return OPERATIONS.has(name);
}

/** True for a redirect a page can receive: http on a loopback address (a page cannot receive a custom scheme). */
function isLoopbackRedirect(uri: string): boolean {
  return uri.startsWith('http://127.0.0.1:') || uri.startsWith('http://[::1]:');
}

const NOT_LOOPBACK: Result<never> = {
  ok: false,
  error: new DeskError('REDIRECT_UNSUPPORTED', 'This profile redirects to a custom URI scheme, which only the desktop app can receive. In browser mode a sign-in needs a profile with a loopback redirect (http://127.0.0.1/callback registered at the provider).').toJSON(),
};

/** Runs one operation with a parsed body; a sign-in a page could never complete is cancelled and refused. */
async function call(api: DeskApi, operation: DeskOperation, input: unknown): Promise<Result<unknown>> {
  const run = api[operation] as (input: unknown) => Promise<Result<unknown>>;
  const result = await run.call(api, input);
  // A sign-in without a browser (client credentials, password) is complete already, and a device sign-in
  // (RFC 8628) finishes on another device: no redirect to check.
  if (operation === 'startSignIn' && result.ok && !(typeof result.value === 'object' && result.value !== null && ('session' in result.value || 'device' in result.value))) {
    const started = result.value as { readonly flowId: string; readonly redirectUri: string };
    if (!isLoopbackRedirect(started.redirectUri)) {
      await api.cancelSignIn({ flowId: started.flowId });
      return NOT_LOOPBACK;
    }
  }
  return result;
}

function answer(res: ServerResponse, result: Result<unknown>): void {
  const body = JSON.stringify(result);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers an authenticated, same-origin `POST /api/<operation>`. */
export async function serveOperation(req: IncomingMessage, res: ServerResponse, api: DeskApi, operation: DeskOperation): Promise<void> {
  if (!isJson(req)) {
    refuse(res, 415, 'The API takes Content-Type: application/json.');
    return;
  }
  let text: string;
  try {
    text = await readBody(req);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    // The rest of an oversized body is not read: the connection ends with the answer.
    refuse(res, status, status === 413 ? 'The request body is too large.' : 'The request body did not arrive whole.', { Connection: 'close' });
    return;
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    refuse(res, 400, 'The request body is not JSON.');
    return;
  }
  let result: Result<unknown>;
  try {
    result = await call(api, operation, input);
  } catch {
    result = { ok: false, error: { code: 'INTERNAL', message: 'Unexpected failure in browser mode.' } };
  }
  answer(res, result);
}
