/**
 * The loopback receiver with a form post response (implicit and hybrid flows, OAuth 2.0 Form Post Response
 * Mode): only a form of at most MAX_FORM_POST_BYTES carrying the pending state is handed on, once; every
 * other POST is a counted stray that ends nothing (400, 413, 415), as are GETs; without the option a POST
 * stays 405.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startLoopbackReceiver, MAX_FORM_POST_BYTES, type LoopbackReceiver } from '../../../../src-main/core/oauth/loopback.ts';
import { PAGE_OK, PAGE_STRAY } from '../../../../src-main/core/oauth/loopback-pages.ts';

const STATE = 'the-pending-state';
const FORM = 'application/x-www-form-urlencoded';

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly allow: string | undefined;
}

/** One request with a body on its own connection; `chunked` sends no Content-Length. */
function post(port: number, target: string, body: string | Buffer, opts: { type?: string; method?: string; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
    if (opts.type !== '') headers['content-type'] = opts.type ?? FORM;
    if (opts.chunked !== true) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: target, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, allow: res.headers.allow }));
    });
    // A large body may be cut short by the answer: that is the point, not a failure of the test.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, body: '', allow: undefined }) : reject(error)));
    req.end(body);
  });
}

async function receiver(withFormPost = true): Promise<{ rx: LoopbackReceiver; calls: { url: string; body: string }[]; gets: string[] }> {
  const calls: { url: string; body: string }[] = [];
  const gets: string[] = [];
  const rx = await startLoopbackReceiver({
    signal: new AbortController().signal,
    isPendingCallback: () => false,
    onCallback: async (url) => {
      gets.push(url);
      return { ok: true };
    },
    ...(withFormPost ? {
      formPost: {
        isPendingCallback: (body: string) => new URLSearchParams(body).getAll('state').join() === STATE,
        onCallback: async (url: string, body: string) => {
          calls.push({ url, body });
          return { ok: true };
        },
      },
    } : {}),
  });
  return { rx, calls, gets };
}

test('the form post with the pending state is handed on once, with the redirect URI, and answered with the finished page', async () => {
  const { rx, calls } = await receiver();
  try {
    const reply = await post(rx.port, '/callback', `id_token=a.b.c&state=${STATE}`);
    assert.equal(reply.status, 200);
    assert.ok(reply.body.includes(PAGE_OK));
    assert.deepEqual(calls, [{ url: rx.redirectUri, body: `id_token=a.b.c&state=${STATE}` }]);
    assert.equal(await rx.done, 'callback');
  } finally {
    await rx.close();
  }
});

test('stray form posts are counted and end nothing: no or another state, a query, another type, too large (declared or chunked), not UTF-8', async () => {
  const { rx, calls, gets } = await receiver();
  try {
    const big = `state=${STATE}&pad=${'a'.repeat(MAX_FORM_POST_BYTES)}`;
    const strays: [Reply, number][] = [
      [await post(rx.port, '/callback', 'id_token=a.b.c'), 400],
      [await post(rx.port, '/callback', 'state=another'), 400],
      [await post(rx.port, `/callback?state=${STATE}`, `state=${STATE}`), 400],
      [await post(rx.port, '/callback', `state=${STATE}`, { type: 'text/plain' }), 415],
      [await post(rx.port, '/callback', `{"state":"${STATE}"}`, { type: 'application/json' }), 415],
      [await post(rx.port, '/callback', big), 413],
      [await post(rx.port, '/callback', big, { chunked: true }), 413],
      [await post(rx.port, '/callback', Buffer.concat([Buffer.from(`state=${STATE}&x=`), Buffer.from([0xff, 0xfe])])), 400],
    ];
    for (const [reply, status] of strays) {
      // A cut connection is allowed for a body too large: the answer came before the body was read.
      if (!(status === 413 && reply.status === -1)) assert.equal(reply.status, status);
    }
    assert.equal(rx.strayRequests, strays.length);
    assert.equal(calls.length, 0);
    assert.equal(gets.length, 0);
    // A GET with the state in the query is not the form post this sign-in waits for.
    const get = await post(rx.port, `/callback?state=${STATE}`, '', { method: 'GET', type: '' });
    assert.equal(get.status, 400);
    assert.ok(get.body.includes(PAGE_STRAY));
    // The sign-in goes on: the provider's form post still completes it.
    const reply = await post(rx.port, '/callback', `id_token=a.b.c&state=${STATE}`);
    assert.equal(reply.status, 200);
    assert.equal(calls.length, 1);
  } finally {
    await rx.close();
  }
});

test('another method gets 405 naming GET and POST; without form posts, a POST is still 405 (GET only)', async () => {
  const withForm = await receiver();
  try {
    const reply = await post(withForm.rx.port, '/callback', `state=${STATE}`, { method: 'PUT' });
    assert.deepEqual([reply.status, reply.allow], [405, 'GET, POST']);
  } finally {
    await withForm.rx.close();
  }
  const without = await receiver(false);
  try {
    const reply = await post(without.rx.port, '/callback', `state=${STATE}`);
    assert.deepEqual([reply.status, reply.allow], [405, 'GET']);
    assert.equal(without.calls.length, 0);
    assert.equal(without.rx.strayRequests, 1);
  } finally {
    await without.rx.close();
  }
});
