/**
 * Browser mode: one DeskApi call (listSessions over 20 sessions) through the `oidc-desk ui` server
 * (src-main/web/server.ts) the way the page makes it: a kept-alive connection, the session cookie that the
 * connection token gave, the page's Origin and Sec-Fetch-Site, JSON in and out; against the same call made
 * in process on the same desk, interleaved call by call. Budget: at most 2 ms added at the median.
 * Run: npm run bench -- browser-mode   (RUNS=300)
 */
import { performance } from 'node:perf_hooks';
import type { Result, SessionView } from '../src-main/core/contract.ts';
import { openDesk } from '../src-main/core/desk.ts';
import { startWebServer } from '../src-main/web/server.ts';
import { dataDirWithSessions } from '../test/harness/session-fixtures.ts';
import { connect, post } from '../test/harness/web-server.ts';
import { reportRows } from './report.ts';
import { instantKeychain } from './secret-stores.ts';
import { interleaved, median, msText } from './stats.ts';

const BUDGET_MS = 2;
const SESSIONS = 20;
const runs = Number(process.env['RUNS'] ?? 300);

const desk = await openDesk({ dataDir: await dataDirWithSessions(SESSIONS), secrets: instantKeychain() });
const server = await startWebServer({ api: desk.api });
try {
  const cookie = await connect(server);
  const samples = await interleaved(runs, {
    direct: async () => {
      const t0 = performance.now();
      const r = await desk.api.listSessions();
      const ms = performance.now() - t0;
      if (!r.ok || r.value.length !== SESSIONS) throw new Error('listSessions failed in process');
      return ms;
    },
    http: async () => {
      const t0 = performance.now();
      const res = await post(server.origin, 'listSessions', null, cookie);
      const r = await res.json() as Result<readonly SessionView[]>;
      const ms = performance.now() - t0;
      if (res.status !== 200 || !r.ok || r.value.length !== SESSIONS) throw new Error(`listSessions over HTTP: ${res.status}`);
      return ms;
    },
  }, 20);
  const direct = median(samples.direct);
  const http = median(samples.http);
  const added = http - direct;
  reportRows([{
    bench: 'browser-mode',
    what: `a DeskApi call (listSessions, ${SESSIONS} sessions) over the oidc-desk ui server, cookie and Origin as the page sends them`,
    figure: `+${msText(added)}`,
    budget: `<= +${BUDGET_MS} ms`,
    ok: added <= BUDGET_MS,
    reference: `in process ${msText(direct)}; over HTTP ${msText(http)} (medians of ${runs})`,
    values: { addedMs: added, directMedianMs: direct, httpMedianMs: http, runs },
  }]);
} finally {
  await server.close();
  desk.close();
}
