import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Server, connect, type Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import {
  startLoopbackReceiver,
  MAX_LOOPBACK_URL_BYTES,
} from '../../../../src-main/core/oauth/loopback.ts';
import type { LoopbackOutcome, LoopbackReceiver } from '../../../../src-main/core/oauth/loopback.ts';
import { MAX_LOOPBACK_CONNECTIONS } from '../../../../src-main/core/oauth/loopback-connections.ts';
import { isDeskError } from '../../../../src-main/core/errors.ts';
import { freePort, holdPort } from '../../../harness/ports.ts';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on its own connection, with full control of method, target and Host. */
function send(port: number, target: string, opts: { method?: string; host?: string; address?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: opts.address ?? '127.0.0.1',
      port,
      method: opts.method ?? 'GET',
      path: target,
      agent: false,
      headers: { host: opts.host ?? `127.0.0.1:${port}` },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the connection error code, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** The state the tests' pending flow waits for. */
const STATE = 'the-pending-state';
/** A deadline that never passes (the test ends each receiver itself). */
const NEVER = new AbortController().signal;

/** Stands in for the sign-in's check: exactly one `state`, equal to STATE. */
function carriesPendingState(url: string): boolean {
  const all = new URL(url).searchParams.getAll('state');
  return all.length === 1 && all[0] === STATE;
}

function recorder(outcome: LoopbackOutcome | (() => Promise<LoopbackOutcome>) = { ok: true }): {
  calls: string[];
  onCallback: (url: string) => Promise<LoopbackOutcome>;
  isPendingCallback: (url: string) => boolean;
} {
  const calls: string[] = [];
  return {
    calls,
    onCallback: async (url: string) => {
      calls.push(url);
      return typeof outcome === 'function' ? outcome() : outcome;
    },
    isPendingCallback: carriesPendingState,
  };
}

async function withReceiver(
  fn: (receiver: LoopbackReceiver, calls: string[]) => Promise<void>,
  outcome?: LoopbackOutcome | (() => Promise<LoopbackOutcome>),
): Promise<void> {
  const rec = recorder(outcome);
  const receiver = await startLoopbackReceiver({ signal: NEVER, ...rec });
  try {
    await fn(receiver, rec.calls);
  } finally {
    await receiver.close();
  }
}

test('listens only on 127.0.0.1, with an IP-literal redirect URI', async () => {
  const listen = mock.method(Server.prototype, 'listen');
  let receiver: LoopbackReceiver;
  try {
    receiver = await startLoopbackReceiver({ signal: NEVER, ...recorder() });
  } finally {
    listen.mock.restore();
  }
  try {
    assert.equal(listen.mock.callCount(), 1);
    const listenArg: unknown = listen.mock.calls[0]?.arguments[0];
    assert.ok(typeof listenArg === 'object' && listenArg !== null && 'host' in listenArg);
    assert.equal(listenArg.host, '127.0.0.1');
    assert.match(receiver.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(new URL(receiver.redirectUri).port, String(receiver.port));
    assert.ok(receiver.port > 0);

    if (existsSync('/proc/net/tcp')) {
      // The kernel's own view: the listening socket (state 0A) is on 0100007F (127.0.0.1), not 00000000.
      const portHex = receiver.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A')
        .map((cols) => cols[1]);
      assert.deepEqual(listening, [`0100007F:${portHex}`]);
    }
    if (existsSync('/proc/net/tcp6')) {
      const portHex = receiver.port.toString(16).toUpperCase().padStart(4, '0');
      const listening6 = readFileSync('/proc/net/tcp6', 'utf8').split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((cols) => cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A');
      assert.deepEqual(listening6, []);
    }
    // Other interfaces of this machine cannot reach it.
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) {
        if (address.internal || address.family !== 'IPv4') continue;
        assert.equal(await tryConnect(address.address, receiver.port), 'ECONNREFUSED', `reachable on ${address.address}`);
      }
    }
    assert.equal(await tryConnect('127.0.0.1', receiver.port), 'connected');
  } finally {
    await receiver.close();
  }
});

test('a wrong path first gets 404 and leaves the flow consumable', async () => {
  await withReceiver(async (receiver, calls) => {
    for (const target of ['/', '/favicon.ico', '/callback/', '/CALLBACK', '/callbackx?code=a', '/other/callback?code=a', '//callback']) {
      const reply = await send(receiver.port, target);
      assert.equal(reply.status, 404, target);
    }
    assert.deepEqual(calls, []);
    assert.equal(receiver.strayRequests, 0, 'other paths are not strays of the callback');
    const ok = await send(receiver.port, `/callback?code=abc&state=${STATE}`);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /Signed in\. You can close this tab and return to OIDC Desk\./);
    assert.deepEqual(calls, [`http://127.0.0.1:${receiver.port}/callback?code=abc&state=${STATE}`]);
    assert.equal(await receiver.done, 'callback');
  });
});

test('a request without the pending state gets 400, is counted, and the sign-in goes on waiting', async () => {
  await withReceiver(async (receiver, calls) => {
    const strays = [
      '/callback', // no query at all
      '/callback?',
      '/callback?code=forged&state=wrong',
      '/callback?error=access_denied', // an error without the state
      '/callback?error=access_denied&state=wrong',
      `/callback?code=forged&state=${STATE}&state=${STATE}`, // a repeated state
      `/callback?code=forged&state=${STATE}&state=other`,
      '/callback?code=forged&state=',
      `/callback?code=forged&STATE=${STATE}`,
      `/callback?code=forged&state=${STATE}x`,
      `/callback?code=forged&state=${STATE.slice(0, -1)}`,
      '/callback?code=%zz',
    ];
    for (const [i, target] of strays.entries()) {
      const reply = await send(receiver.port, target);
      assert.equal(reply.status, 400, target);
      assert.match(reply.body, /not the sign-in response OIDC Desk is waiting for/);
      assert.doesNotMatch(reply.body, /forged|wrong|access_denied|the-pending-state/);
      assert.equal(receiver.strayRequests, i + 1);
    }
    assert.deepEqual(calls, [], 'no stray reached the callback handler');
    assert.equal(await tryConnect('127.0.0.1', receiver.port), 'connected', 'still listening');
    const ok = await send(receiver.port, `/callback?code=real&state=${STATE}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(calls, [`http://127.0.0.1:${receiver.port}/callback?code=real&state=${STATE}`]);
    assert.equal(await receiver.done, 'callback');
    assert.equal(receiver.strayRequests, strays.length);
  });
});

test('a stray check that throws counts as a stray, never as the callback', async () => {
  const rec = recorder();
  const receiver = await startLoopbackReceiver({
    signal: NEVER,
    onCallback: rec.onCallback,
    isPendingCallback: (url) => {
      if (url.includes('boom')) throw new Error('boom');
      return carriesPendingState(url);
    },
  });
  try {
    assert.equal((await send(receiver.port, `/callback?boom=1&state=${STATE}`)).status, 400);
    assert.equal(receiver.strayRequests, 1);
    assert.equal((await send(receiver.port, `/callback?code=a&state=${STATE}`)).status, 200);
    assert.equal(rec.calls.length, 1);
  } finally {
    await receiver.close();
  }
});

/** Sockets to the receiver that send nothing (or half a request), the way any local program can hold them. */
async function holdConnections(port: number, count: number, send = ''): Promise<Socket[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.off('error', reject);
      if (send !== '') socket.write(send);
      resolve(socket);
    });
    socket.once('error', reject);
  })));
}

/** Everything the receiver sends back on one raw connection until it closes it (or `limitMs` passes, a safety net). */
function rawExchange(port: number, bytes: string, limitMs = 20_000): Promise<{ readonly received: string; readonly closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const limit = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedByServer: false });
    }, limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(limit);
      resolve({ received, closedByServer: true });
    });
    socket.write(bytes);
  });
}

const FLOOD = 500;

test(`a flood never ends the receiver: ${FLOOD} strays are answered 400 and counted, each on a closed connection, and the callback still completes it`, async () => {
  await withReceiver(async (receiver, calls) => {
    let last: Reply | undefined;
    for (let i = 0; i < FLOOD; i += 1) {
      const reply = await send(receiver.port, `/callback?code=c&state=guess-${i}`);
      assert.equal(reply.status, 400);
      assert.equal(reply.headers.connection, 'close', 'a stray never keeps its connection');
      if (i === 0) assert.match(reply.body, /not the sign-in response OIDC Desk is waiting for/, 'the first strays get the page (a person may have reloaded an old tab)');
      last = reply;
    }
    assert.equal(last?.body, '', 'a flood gets a bare 400, no page');
    assert.equal(receiver.strayRequests, FLOOD);
    assert.equal(await tryConnect('127.0.0.1', receiver.port), 'connected', 'still listening');
    assert.deepEqual(calls, []);
    const ok = await send(receiver.port, `/callback?code=real&state=${STATE}`);
    assert.equal(ok.status, 200);
    assert.equal(await receiver.done, 'callback');
    assert.deepEqual(calls, [`http://127.0.0.1:${receiver.port}/callback?code=real&state=${STATE}`]);
    assert.equal(receiver.strayRequests, FLOOD);
  });
});

test('a connection that keeps sending strays (pipelined) gets one answer and is closed: the rest is never handled', async () => {
  await withReceiver(async (receiver, calls) => {
    const request = (i: number): string => `GET /callback?code=c&state=guess-${i} HTTP/1.1\r\nHost: 127.0.0.1:${receiver.port}\r\n\r\n`;
    const { received, closedByServer } = await rawExchange(receiver.port, Array.from({ length: 20 }, (_, i) => request(i)).join(''));
    assert.equal(closedByServer, true, 'the receiver closed the connection');
    assert.equal(received.match(/^HTTP\/1\.1 \d{3}/gm)?.length, 1, 'one answer');
    assert.match(received, /^HTTP\/1\.1 400 /);
    assert.equal(receiver.strayRequests, 1, 'only the first request was handled');
    assert.deepEqual(calls, []);
    assert.equal((await send(receiver.port, `/callback?code=real&state=${STATE}`)).status, 200);
  });
});

test(`connections held open by another program (idle, or a request never finished) never keep the callback out`, async () => {
  await withReceiver(async (receiver, calls) => {
    const idle = await holdConnections(receiver.port, MAX_LOOPBACK_CONNECTIONS);
    const halfSent = await holdConnections(receiver.port, MAX_LOOPBACK_CONNECTIONS, `GET /callback?state=guess HTTP/1.1\r\nHost: 127.0.0.1:${receiver.port}\r\n`);
    try {
      const ok = await send(receiver.port, `/callback?code=real&state=${STATE}`);
      assert.equal(ok.status, 200);
      assert.equal(await receiver.done, 'callback');
      assert.deepEqual(calls, [`http://127.0.0.1:${receiver.port}/callback?code=real&state=${STATE}`]);
      assert.equal(receiver.strayRequests, 0, 'a connection that never finished a request is not a stray');
    } finally {
      for (const socket of [...idle, ...halfSent]) socket.destroy();
    }
  });
});

test('a custom path is honoured exactly', async () => {
  const rec = recorder();
  const receiver = await startLoopbackReceiver({ path: '/oauth2/cb', signal: NEVER, ...rec });
  try {
    assert.equal(receiver.redirectUri, `http://127.0.0.1:${receiver.port}/oauth2/cb`);
    assert.equal((await send(receiver.port, `/callback?code=a&state=${STATE}`)).status, 404);
    assert.equal((await send(receiver.port, `/oauth2/cb?code=a&state=${STATE}`)).status, 200);
    assert.deepEqual(rec.calls, [`http://127.0.0.1:${receiver.port}/oauth2/cb?code=a&state=${STATE}`]);
  } finally {
    await receiver.close();
  }
});

test('after the first callback the receiver closes; later requests never reach onCallback', async () => {
  await withReceiver(async (receiver, calls) => {
    assert.equal((await send(receiver.port, `/callback?code=one&state=${STATE}`)).status, 200);
    assert.equal(await receiver.done, 'callback');
    assert.equal(await tryConnect('127.0.0.1', receiver.port), 'ECONNREFUSED');
    await assert.rejects(send(receiver.port, `/callback?code=two&state=${STATE}`), { code: 'ECONNREFUSED' });
    assert.equal(calls.length, 1);
  });
});

test('a second request while the first is still being handled is refused without reaching onCallback', async () => {
  let release!: (outcome: LoopbackOutcome) => void;
  const gate = new Promise<LoopbackOutcome>((resolve) => (release = resolve));
  await withReceiver(async (receiver, calls) => {
    const first = send(receiver.port, `/callback?code=one&state=${STATE}`);
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await send(receiver.port, `/callback?code=two&state=${STATE}`);
    assert.equal(second.status, 410);
    assert.doesNotMatch(second.body, /two/);
    assert.equal(receiver.strayRequests, 1, 'the repeat is counted');
    release({ ok: true });
    assert.equal((await first).status, 200);
    assert.equal(await receiver.done, 'callback');
    assert.deepEqual(calls, [`http://127.0.0.1:${receiver.port}/callback?code=one&state=${STATE}`]);
  }, () => gate);
});

test('the deadline closes the receiver without a callback', async () => {
  const rec = recorder();
  const receiver = await startLoopbackReceiver({ signal: AbortSignal.timeout(20), ...rec });
  assert.equal(await receiver.done, 'timeout');
  assert.equal(await tryConnect('127.0.0.1', receiver.port), 'ECONNREFUSED');
  assert.deepEqual(rec.calls, []);
  await receiver.close();
  assert.equal(await receiver.done, 'timeout');
});

test('a deadline cancelled (not timed out) ends the receiver as closed; one aborted already, at once', async () => {
  const rec = recorder();
  const controller = new AbortController();
  const receiver = await startLoopbackReceiver({ signal: controller.signal, ...rec });
  controller.abort();
  assert.equal(await receiver.done, 'closed');
  assert.equal(await tryConnect('127.0.0.1', receiver.port), 'ECONNREFUSED');
  const late = await startLoopbackReceiver({ signal: AbortSignal.abort(), ...rec });
  assert.equal(await late.done, 'closed');
  assert.deepEqual(rec.calls, []);
});

test('a deadline passing while the callback is handled: the callback is still answered, then the receiver closes', async () => {
  const controller = new AbortController();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const rec = recorder(async () => {
    controller.abort();
    await gate;
    return { ok: true };
  });
  const receiver = await startLoopbackReceiver({ signal: controller.signal, ...rec });
  const reply = send(receiver.port, `/callback?code=abc&state=${STATE}`);
  while (rec.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
  release();
  assert.equal((await reply).status, 200);
  assert.equal(await receiver.done, 'callback');
  assert.equal(await tryConnect('127.0.0.1', receiver.port), 'ECONNREFUSED');
});

test('close() ends the receiver as closed, and is idempotent', async () => {
  const rec = recorder();
  const receiver = await startLoopbackReceiver({ signal: NEVER, ...rec });
  await receiver.close();
  await receiver.close();
  assert.equal(await receiver.done, 'closed');
  assert.equal(await tryConnect('127.0.0.1', receiver.port), 'ECONNREFUSED');
  assert.deepEqual(rec.calls, []);
});

test('an oversized request URL gets 414 (or 431 past the header limit) without reaching onCallback', async () => {
  await withReceiver(async (receiver, calls) => {
    const big = `/callback?code=abc&state=${STATE}&pad=${'a'.repeat(MAX_LOOPBACK_URL_BYTES)}`;
    const reply = await send(receiver.port, big);
    assert.equal(reply.status, 414);
    assert.doesNotMatch(reply.body, /aaaa/);
    const huge = `/callback?code=abc&pad=${'b'.repeat(20 * 1024)}`;
    const hugeReply = await send(receiver.port, huge).catch((error: NodeJS.ErrnoException) => ({ status: error.code ?? 'error' }));
    assert.ok(hugeReply.status === 431 || hugeReply.status === 'ECONNRESET', `got ${hugeReply.status}`);
    assert.deepEqual(calls, []);
    // Just under the cap still works.
    const prefix = `/callback?code=abc&state=${STATE}&pad=`;
    const fits = `${prefix}${'c'.repeat(MAX_LOOPBACK_URL_BYTES - prefix.length)}`;
    assert.equal((await send(receiver.port, fits)).status, 200);
    assert.equal(calls.length, 1);
  });
});

test('other methods on the path get 405 without reaching onCallback', async () => {
  await withReceiver(async (receiver, calls) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const reply = await send(receiver.port, `/callback?code=abc&state=${STATE}`, { method });
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET');
    }
    assert.deepEqual(calls, []);
    assert.equal(receiver.strayRequests, 5);
    assert.equal((await send(receiver.port, `/callback?code=abc&state=${STATE}`)).status, 200);
    assert.equal(calls.length, 1);
  });
});

test('a Host other than the redirect URI (DNS rebinding) is refused without consuming the flow', async () => {
  await withReceiver(async (receiver, calls) => {
    for (const host of ['evil.example', `localhost:${receiver.port}`, `evil.example:${receiver.port}`, '127.0.0.1']) {
      assert.equal((await send(receiver.port, `/callback?code=abc&state=${STATE}`, { host })).status, 421, host);
    }
    assert.deepEqual(calls, []);
    assert.equal(receiver.strayRequests, 0, 'a foreign Host is not a stray of the callback path');
    assert.equal((await send(receiver.port, `/callback?code=abc&state=${STATE}`)).status, 200);
  });
});

test('the reply page is static, hardened, and never echoes the input', async () => {
  const hostile = encodeURIComponent('<script>alert(1)</script>');
  await withReceiver(async (receiver) => {
    const stray = await send(receiver.port, `/callback?code=SECRETCODE&state=STATEVAL&x=${hostile}`);
    assert.equal(stray.status, 400);
    assert.doesNotMatch(stray.body, /SECRETCODE|STATEVAL|script|alert/);
    assert.doesNotMatch(stray.body, /https?:|src=|href=/);
    assert.equal(stray.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'");
    const reply = await send(receiver.port, `/callback?code=SECRETCODE&state=${STATE}&x=${hostile}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'");
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.headers['referrer-policy'], 'no-referrer');
    assert.match(String(reply.headers['content-type']), /^text\/html; charset=utf-8$/);
    assert.doesNotMatch(reply.body, /SECRETCODE|the-pending-state|script|alert/);
    assert.doesNotMatch(reply.body, /https?:|src=|href=/);
  });
});

test('a failed outcome shows the neutral failure page without the code', async () => {
  await withReceiver(async (receiver, calls) => {
    const reply = await send(receiver.port, `/callback?error=access_denied&state=${STATE}`);
    assert.equal(reply.status, 200);
    assert.match(reply.body, /Sign-in did not complete\. Return to OIDC Desk to see why\./);
    assert.doesNotMatch(reply.body, /CALLBACK_STATE_UNKNOWN|access_denied/);
    assert.equal(calls.length, 1);
    assert.equal(await receiver.done, 'callback');
  }, { ok: false, code: 'CALLBACK_STATE_UNKNOWN' });
});

test('an onCallback that throws shows the failure page and still closes', async () => {
  await withReceiver(async (receiver) => {
    const reply = await send(receiver.port, `/callback?code=abc&state=${STATE}`);
    assert.match(reply.body, /Sign-in did not complete/);
    assert.equal(await receiver.done, 'callback');
  }, () => Promise.reject(new Error('router blew up')));
});

test('bad options are refused with USAGE', async () => {
  const { onCallback, isPendingCallback } = recorder();
  for (const path of ['callback', '/callback?x=1', '/callback#f', '', '/call back']) {
    await assert.rejects(startLoopbackReceiver({ path, signal: NEVER, onCallback, isPendingCallback }), (error: unknown) => isDeskError(error, 'USAGE'), path);
  }
  for (const signal of [undefined, 1000, {}, { aborted: false }]) {
    await assert.rejects(startLoopbackReceiver({ signal: signal as AbortSignal, onCallback, isPendingCallback }), (error: unknown) => isDeskError(error, 'USAGE'), String(signal));
  }
});

test('a fixed port and path: the redirect URI is exactly that, and the callback is received there', async () => {
  const port = await freePort();
  const rec = recorder();
  const receiver = await startLoopbackReceiver({ port, path: '/oauth2/cb', signal: NEVER, ...rec });
  try {
    assert.equal(receiver.port, port);
    assert.equal(receiver.redirectUri, `http://127.0.0.1:${port}/oauth2/cb`);
    assert.equal((await send(port, `/oauth2/cb?code=a&state=${STATE}`)).status, 200);
    assert.deepEqual(rec.calls, [`http://127.0.0.1:${port}/oauth2/cb?code=a&state=${STATE}`]);
    assert.equal(await receiver.done, 'callback');
  } finally {
    await receiver.close();
  }
});

test('a fixed port held by another program fails at once with LOOPBACK_LISTEN_FAILED naming the port', async () => {
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const squatter = await holdPort(host);
    try {
      await assert.rejects(
        startLoopbackReceiver({ port: squatter.port, signal: NEVER, ...recorder() }),
        (error: unknown) => isDeskError(error, 'LOOPBACK_LISTEN_FAILED') && error.message.includes(`Port ${squatter.port} on 127.0.0.1 is in use`),
        `held on ${host}`,
      );
    } finally {
      await squatter.release();
    }
  }
});

const IPV6_LOOPBACK = await freePort('::1').then(() => true, () => false);

test('[::1]: binds only the IPv6 loopback and takes only Host [::1]:PORT', { skip: IPV6_LOOPBACK ? false : 'this machine has no IPv6 loopback (::1)' }, async () => {
  const port = await freePort('::1');
  const rec = recorder();
  const receiver = await startLoopbackReceiver({ host: '::1', port, signal: NEVER, ...rec });
  try {
    assert.equal(receiver.redirectUri, `http://[::1]:${port}/callback`);
    assert.equal(await tryConnect('127.0.0.1', port), 'ECONNREFUSED');
    assert.equal((await send(port, `/callback?code=a&state=${STATE}`, { address: '::1', host: `127.0.0.1:${port}` })).status, 421);
    assert.equal((await send(port, `/callback?code=a&state=${STATE}`, { address: '::1', host: `localhost:${port}` })).status, 421);
    assert.deepEqual(rec.calls, []);
    assert.equal((await send(port, `/callback?code=a&state=${STATE}`, { address: '::1', host: `[::1]:${port}` })).status, 200);
    assert.deepEqual(rec.calls, [`http://[::1]:${port}/callback?code=a&state=${STATE}`]);
  } finally {
    await receiver.close();
  }
});

test('bad host or port options are refused with USAGE', async () => {
  const { onCallback, isPendingCallback } = recorder();
  for (const host of ['0.0.0.0', 'localhost', '::', '127.0.0.2']) {
    // @ts-expect-error -- untyped input is exactly what is tested
    await assert.rejects(startLoopbackReceiver({ host, signal: NEVER, onCallback, isPendingCallback }), (error: unknown) => isDeskError(error, 'USAGE'), host);
  }
  for (const port of [-1, 65536, 1.5, Number.NaN]) {
    await assert.rejects(startLoopbackReceiver({ port, signal: NEVER, onCallback, isPendingCallback }), (error: unknown) => isDeskError(error, 'USAGE'), String(port));
  }
  for (const path of ['/a/../b', '/./b', '/%2e%2e/b', '/a%zz']) {
    await assert.rejects(startLoopbackReceiver({ path, signal: NEVER, onCallback, isPendingCallback }), (error: unknown) => isDeskError(error, 'USAGE'), path);
  }
});
