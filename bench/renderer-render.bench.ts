/**
 * Budgets of the session list in Chromium: the first render of 500 sessions under 150 ms, and a countdown
 * tick that re-renders only the rows whose text changes. The bench page (bench/renderer-page/) is the real
 * App over a stub API answering at once, built by Vite with React's profiling build and a React Profiler
 * around the app and around every session row (the row module is swapped for a profiled one at build time).
 * First render, on the production build (React as shipped): Performance API marks in the page, from
 * `root.render()` to the commit that shows every row (and to the next frame). Ticks, on the profiling build:
 * Playwright's clock drives the page's one-second timer, and each tick's Profiler callbacks are compared
 * with the rows whose text changed.
 * Run: npm run bench -- renderer-render
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { launchChromium } from '../test/harness/browser.ts';
import type { BenchLog } from './renderer-page/profile-log.ts';
import { serveDirectory } from './static-server.ts';
import { printTable, summarize } from './stats.ts';

const SESSIONS = 500;
const FIRST_RENDER_BUDGET_MS = 150;
const LOADS = 9;
const TICKS = 30;

const page = fileURLToPath(new URL('./renderer-page/', import.meta.url));
const realRow = fileURLToPath(new URL('../src-renderer/views/session-row.tsx', import.meta.url));
const probeRow = join(page, 'session-row-probe.tsx');

/** Every import of the real session row, except the probe's own, gets the profiled one. */
function profiledRows(): Plugin {
  return {
    name: 'bench-profiled-rows',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || importer === probeRow) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === realRow ? probeRow : null;
    },
  };
}

const outDir = await mkdtemp(join(tmpdir(), 'oidc-desk-renderer-bench-'));
const variant = (name: 'production' | 'profiling') => build({
  configFile: false,
  root: page,
  base: './',
  logLevel: 'warn',
  plugins: name === 'profiling' ? [profiledRows(), react()] : [react()],
  // React's profiling build: production React with the Profiler's timings.
  resolve: { alias: name === 'profiling' ? [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }] : [] },
  build: { outDir: join(outDir, name), emptyOutDir: true, modulePreload: { polyfill: false } },
});
await variant('production');
await variant('profiling');
const server = await serveDirectory(outDir);
const browser = await launchChromium();

type Log = BenchLog;
const readLog = (p: Page): Promise<Log> => p.evaluate(() => (window as unknown as { benchLog: Log }).benchLog);

async function firstRender(): Promise<{ committed: number; painted: number; fromData: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  await p.goto(`${server.origin}/production/?sessions=${SESSIONS}`);
  await p.waitForFunction(() => performance.getEntriesByName('rows-painted').length > 0, undefined, { timeout: 30_000 });
  // No named function inside evaluate: the TypeScript loader would wrap it in a helper the page lacks.
  const [start = Number.NaN, asked = Number.NaN, committed = Number.NaN, painted = Number.NaN] = await p.evaluate(() => ['render-start', 'sessions-asked', 'rows-committed', 'rows-painted']
    .map((name) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN));
  await context.close();
  return { committed: committed - start, painted: painted - start, fromData: committed - asked };
}

/** Row texts by session id. */
const rowTexts = (p: Page): Promise<Record<string, string>> => p.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll<HTMLElement>('.session-row')].map((r) => [r.dataset['session'] ?? '', r.textContent ?? '']),
));

async function ticks(): Promise<{ commits: number[]; rendered: number[]; changed: number[]; exact: boolean }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  await p.clock.install({ time: Date.now() });
  await p.goto(`${server.origin}/profiling/?sessions=${SESSIONS}`);
  await p.waitForFunction((n) => document.querySelectorAll('.session-row').length === n, SESSIONS, { timeout: 30_000 });
  // Stop the page's time half-way through a second: each runFor(1000) then spans exactly one tick of the
  // shared clock (which ticks on second boundaries), however long the driver takes between ticks.
  const pageNow = await p.evaluate(() => Date.now());
  await p.clock.pauseAt(Math.ceil((pageNow + 2000) / 1000) * 1000 + 500);
  const out = { commits: [] as number[], rendered: [] as number[], changed: [] as number[], exact: true };
  for (let i = 0; i < TICKS; i++) {
    const before = await rowTexts(p);
    const logBefore = await readLog(p);
    await p.clock.runFor(1000);
    const after = await rowTexts(p);
    const logAfter = await readLog(p);
    const commits = logAfter.app.slice(logBefore.app.length);
    const rows = new Set(logAfter.rows.slice(logBefore.rows.length).filter((r) => r.phase !== 'mount').map((r) => r.id));
    const changed = new Set(Object.keys(after).filter((id) => after[id] !== before[id]));
    out.commits.push(commits.length);
    out.rendered.push(rows.size);
    out.changed.push(changed.size);
    if (rows.size !== changed.size || [...rows].some((id) => !changed.has(id))) out.exact = false;
  }
  await context.close();
  return out;
}

try {
  const loads: { committed: number; painted: number; fromData: number }[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await firstRender());
  const committed = summarize(loads.map((l) => l.committed));
  const painted = summarize(loads.map((l) => l.painted));
  const fromData = summarize(loads.map((l) => l.fromData));
  const t = await ticks();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`${LOADS} page loads in Chromium; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  printTable(['measure', 'median', 'p95', 'budget', 'ok'], [
    [`first render of ${SESSIONS} sessions, to commit (ms)`, committed.median, committed.p95, `< ${FIRST_RENDER_BUDGET_MS}`, committed.median < FIRST_RENDER_BUDGET_MS ? 'yes' : 'NO'],
    [`  of which: from the list's arrival to that commit (ms)`, fromData.median, fromData.p95, '', ''],
    [`first render of ${SESSIONS} sessions, to the frame that shows them (ms)`, painted.median, painted.p95, '', ''],
  ]);
  console.log('');
  printTable(['countdown ticks', 'value', 'budget', 'ok'], [
    ['ticks driven', TICKS, '', ''],
    ['React commits per tick (max)', Math.max(...t.commits), '<= 1', Math.max(...t.commits) <= 1 ? 'yes' : 'NO'],
    [`rows re-rendered, all ticks (of ${SESSIONS} per tick)`, sum(t.rendered), '', ''],
    ['rows whose text changed, all ticks', sum(t.changed), '', ''],
    ['re-rendered rows = changed rows, every tick', t.exact ? 'yes' : 'no', 'yes', t.exact ? 'yes' : 'NO'],
  ]);
  const results = new URL('./results/', import.meta.url);
  await mkdir(results, { recursive: true });
  await writeFile(new URL('renderer-render.json', results), `${JSON.stringify({ sessions: SESSIONS, firstRenderMs: { committed, fromData, painted }, loadAverage: loadavg(), ticks: t }, null, 1)}\n`);
} finally {
  await browser.close();
  await server.close();
  await rm(outDir, { recursive: true, force: true });
}
