/**
 * The core fetch's cost per exchange: a token request (a form POST) and its JSON answer through the core
 * fetch (src-main/core/http/client.ts over its node:http transport: timeout, body cap, redirect refusal,
 * the exchange masked and logged) against the platform's fetch reading the same answer (what a bare
 * oauth4webapi client uses), to the same local node:http server, 200 requests at once per round, the two
 * interleaved round by round. The figure is CPU time per request (this process's user + system time, the
 * server's share included and the same in both), the steadier measure on a shared machine; wall time is
 * in the reference. No budget: the row says what the core's HTTP costs next to the platform's.
 * Run: npm run bench -- http-transport   (ROUNDS=15)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHttpClient } from '../src-main/core/http/client.ts';
import { ExchangeLog } from '../src-main/core/http/exchange-log.ts';
import { reportRows } from './report.ts';
import { interleaved, median, msText, ratioText } from './stats.ts';

const rounds = Number(process.env['ROUNDS'] ?? 15);
const PER_ROUND = 200;
const ANSWER = JSON.stringify({ access_token: `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(700)}.${'s'.repeat(342)}`, token_type: 'Bearer', expires_in: 3600, refresh_token: 'r'.repeat(43), id_token: `eyJhbGciOiJSUzI1NiJ9.${'b'.repeat(600)}.${'t'.repeat(342)}`, scope: 'openid profile email offline_access' });
const FORM = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r'.repeat(43), client_id: 'oidc-desk' });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(ANSWER) });
    res.end(ANSWER);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
const core = createHttpClient({ log: new ExchangeLog() });
const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
const send = {
  core: async (): Promise<void> => {
    const res = await core(url, { method: 'POST', headers, body: FORM });
    if ((await res.json() as { token_type?: string }).token_type !== 'Bearer') throw new Error('core fetch: wrong answer');
  },
  fetch: async (): Promise<void> => {
    const res = await fetch(url, { method: 'POST', headers, body: FORM, redirect: 'manual' });
    if ((await res.json() as { token_type?: string }).token_type !== 'Bearer') throw new Error('fetch: wrong answer');
  },
};

const cpuUs: Record<keyof typeof send, number[]> = { core: [], fetch: [] };
/** One round of PER_ROUND concurrent requests; keeps the CPU time per request, returns the wall time. */
const round = (name: keyof typeof send) => async (): Promise<number> => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: PER_ROUND }, send[name]));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  cpuUs[name].push((cpu.user + cpu.system) / PER_ROUND);
  return ms;
};
try {
  const wall = await interleaved(rounds, { core: round('core'), fetch: round('fetch') }, 2);
  // The warm-up rounds' CPU samples go too: interleaved() drops their wall times.
  for (const list of Object.values(cpuUs)) list.splice(0, list.length - rounds);
  const coreCpu = median(cpuUs.core);
  const fetchCpu = median(cpuUs.fetch);
  reportRows([{
    bench: 'http-transport',
    what: `a token request and its answer through the core fetch (node:http transport, capped, masked and logged) against the platform's fetch, ${PER_ROUND} at once, CPU per request`,
    figure: ratioText(coreCpu / fetchCpu),
    budget: '',
    ok: null,
    reference: `core fetch ${coreCpu.toFixed(0)} µs, fetch ${fetchCpu.toFixed(0)} µs per request (the local server's share in both); wall time per round ${msText(median(wall.core))} and ${msText(median(wall.fetch))} (medians of ${rounds})`,
    values: { ratio: coreCpu / fetchCpu, coreCpuUsPerRequest: coreCpu, fetchCpuUsPerRequest: fetchCpu, coreWallMs: median(wall.core), fetchWallMs: median(wall.fetch), rounds, perRound: PER_ROUND },
  }]);
} finally {
  server.closeAllConnections();
  server.close();
}
