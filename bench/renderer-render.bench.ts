/**
 * Budgets of the session list in Chromium: the first render of 500 sessions under 150 ms, and a countdown
 * tick that re-renders only the rows whose text changes. The bench page (bench/renderer-page/) is the real
 * App over a stub API answering at once, built by Vite with React's profiling build and a React Profiler
 * around the app and around every session row (the row module is swapped for a profiled one at build time).
 * First render, on the production build (React as shipped): Performance API marks in the page, from
 * `root.render()` to the commit that shows every row (and to the next frame). Ticks, on the profiling build:
 * Playwright's clock drives the page's one-second timer, and each tick's Profiler callbacks are compared
 * with the rows whose text changed.
 * Budgets: first render under 150 ms (median of 9 loads); no whole-list re-render on a tick (at most one
 * React commit per tick, and the rows React re-rendered are exactly the rows whose text changed).
 * Run: npm run bench -- renderer-render
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { launchChromium } from '../test/harness/browser.ts';
import type { BenchLog } from './renderer-page/profile-log.ts';
import { serveDirectory } from './static-server.ts';
import { reportRows, skippedRow } from './report.ts';
import { msText, summarize } from './stats.ts';

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

const chromium = process.env['OIDC_DESK_CHROMIUM'] ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const reason = `needs Chromium at ${chromium} (apt-get install chromium)`;
  reportRows([
    skippedRow('renderer-render', `first render of ${SESSIONS} sessions in Chromium, to commit`, `< ${FIRST_RENDER_BUDGET_MS} ms`, reason),
    skippedRow('renderer-render', 'a countdown tick: rows React re-rendered', 'only the rows that change', reason),
  ]);
  process.exit(0);
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
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const maxCommits = Math.max(...t.commits);
  reportRows([
    {
      bench: 'renderer-render',
      what: `first render of ${SESSIONS} sessions in Chromium, root.render() to the commit that shows them`,
      figure: msText(committed.median),
      budget: `< ${FIRST_RENDER_BUDGET_MS} ms`,
      ok: committed.median < FIRST_RENDER_BUDGET_MS,
      reference: `p95 ${msText(committed.p95)}; from the list's arrival ${msText(fromData.median)}; to the frame that paints them ${msText(painted.median)} (medians of ${LOADS} loads)`,
      values: { committedMedianMs: committed.median, committedP95Ms: committed.p95, fromDataMedianMs: fromData.median, paintedMedianMs: painted.median, loads: LOADS },
    },
    {
      bench: 'renderer-render',
      what: `a countdown tick with ${SESSIONS} sessions: rows React re-rendered (Profiler), ${TICKS} ticks`,
      figure: `${sum(t.rendered)} rows, ${t.exact ? '=' : '!='} rows changed`,
      budget: 'only the rows that change',
      ok: t.exact && maxCommits <= 1,
      reference: `${sum(t.changed)} rows' text changed; at most ${maxCommits} React commit per tick; a whole-list re-render would be ${SESSIONS * TICKS}`,
      values: { rowsRendered: sum(t.rendered), rowsChanged: sum(t.changed), exact: t.exact, maxCommitsPerTick: maxCommits, ticks: TICKS },
    },
  ]);
} finally {
  await browser.close();
  await server.close();
  await rm(outDir, { recursive: true, force: true });
}
