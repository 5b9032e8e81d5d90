/**
 * Budgets of the session list in Chromium: the first render of 500 sessions under 150 ms, and a countdown
 * tick that re-renders only the rows whose text changes. The bench page (bench/renderer-page/) is the real
 * App over a stub API answering at once, built by Vite with React's profiling build and a React Profiler
 * around the app and around every session row (the row module is swapped for a profiled one at build time).
 * First render, on the production build (React as shipped): Performance API marks in the page, from
 * `root.render()` to the first commit with rows, which for a long list is its first step
 * (src-renderer/hooks/use-rows-in-steps.ts); the row shows whether those rows reach past the bottom of the
 * window, when every row is committed, and the longest main-thread task (Long Tasks API). The reference is
 * the same page built with the list in one step (bench/renderer-page/rows-all-at-once.ts), loads interleaved.
 * Ticks, on the profiling build: Playwright's clock drives the page's one-second timer, and each tick's
 * Profiler callbacks are compared with the rows whose text changed.
 * Budgets: first render under 150 ms, filling the window (median of 9 loads); no whole-list re-render on a
 * tick (at most one React commit per tick, and the rows React re-rendered are exactly the rows whose text
 * changed).
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

const realSteps = fileURLToPath(new URL('../src-renderer/hooks/use-rows-in-steps.ts', import.meta.url));
const allAtOnce = join(page, 'rows-all-at-once.ts');

/** Every import of module `real`, except from `stand`, gets `stand` instead. */
function swapModule(name: string, real: string, stand: string): Plugin {
  return {
    name,
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || importer === stand) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === real ? stand : null;
    },
  };
}

const chromium = process.env['OIDC_DESK_CHROMIUM'] ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const reason = `needs Chromium at ${chromium} (apt-get install chromium)`;
  reportRows([
    skippedRow('renderer-render', `first render of ${SESSIONS} sessions in Chromium, to the first screen of rows`, `< ${FIRST_RENDER_BUDGET_MS} ms, filling the window`, reason),
    skippedRow('renderer-render', 'a countdown tick: rows React re-rendered', 'only the rows that change', reason),
  ]);
  process.exit(0);
}

const outDir = await mkdtemp(join(tmpdir(), 'oidc-desk-renderer-bench-'));
const variant = (name: 'production' | 'profiling' | 'at-once') => build({
  configFile: false,
  root: page,
  base: './',
  logLevel: 'warn',
  // The profiling build's rows are profiled ones; the at-once build renders a long list in one step.
  plugins: [
    ...(name === 'profiling' ? [swapModule('bench-profiled-rows', realRow, probeRow)] : []),
    ...(name === 'at-once' ? [swapModule('bench-rows-at-once', realSteps, allAtOnce)] : []),
    react(),
  ],
  // React's profiling build: production React with the Profiler's timings.
  resolve: { alias: name === 'profiling' ? [{ find: /^react-dom\/client$/, replacement: 'react-dom/profiling' }] : [] },
  build: { outDir: join(outDir, name), emptyOutDir: true, modulePreload: { polyfill: false } },
});
await variant('production');
await variant('profiling');
await variant('at-once');
const server = await serveDirectory(outDir);
const browser = await launchChromium();

type Log = BenchLog;
const readLog = (p: Page): Promise<Log> => p.evaluate(() => (window as unknown as { benchLog: Log }).benchLog);

type Load = { firstCommitted: number; firstPainted: number; firstRows: number; filled: boolean; committed: number; painted: number; fromData: number; longestTask: number };

async function firstRender(build: 'production' | 'at-once'): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await context.newPage();
  await p.goto(`${server.origin}/${build}/?sessions=${SESSIONS}`);
  await p.waitForFunction(() => performance.getEntriesByName('rows-painted').length > 0, undefined, { timeout: 30_000 });
  // No named function inside evaluate: the TypeScript loader would wrap it in a helper the page lacks.
  const { marks, first } = await p.evaluate(() => ({
    marks: Object.fromEntries(['render-start', 'sessions-asked', 'first-rows-committed', 'first-rows-painted', 'rows-committed', 'rows-painted']
      .map((name) => [name, performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN])),
    first: (performance.getEntriesByName('first-rows-committed')[0] as PerformanceMark | undefined)?.detail as { rows: number } | undefined,
  }));
  const log = await readLog(p);
  await context.close();
  const at = (name: string): number => marks[name] ?? Number.NaN;
  const start = at('render-start');
  // The longest task that ran once the list had arrived: how long the window could not answer a click.
  const longestTask = Math.max(0, ...log.longTasks.filter((t) => t.start + t.duration > at('sessions-asked')).map((t) => t.duration));
  return {
    firstCommitted: at('first-rows-committed') - start, firstPainted: at('first-rows-painted') - start, firstRows: first?.rows ?? 0, filled: log.firstRowsBelowWindow,
    committed: at('rows-committed') - start, painted: at('rows-painted') - start, fromData: at('rows-committed') - at('sessions-asked'), longestTask,
  };
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
  // The list in two steps as shipped, and in one step (the reference), loads interleaved.
  const loads: Load[] = [];
  const atOnce: Load[] = [];
  for (let i = 0; i < LOADS; i++) {
    for (const build of i % 2 === 0 ? (['production', 'at-once'] as const) : (['at-once', 'production'] as const)) {
      (build === 'production' ? loads : atOnce).push(await firstRender(build));
    }
  }
  const median = (pick: (l: Load) => number, of: Load[] = loads): number => summarize(of.map(pick)).median;
  const taskText = (ms: number): string => (ms === 0 ? 'none of 50 ms or more' : msText(ms));
  const firstCommitted = summarize(loads.map((l) => l.firstCommitted));
  const firstRows = Math.min(...loads.map((l) => l.firstRows));
  const filled = loads.every((l) => l.filled);
  const t = await ticks();
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const maxCommits = Math.max(...t.commits);
  reportRows([
    {
      bench: 'renderer-render',
      what: `first render of ${SESSIONS} sessions in Chromium, root.render() to the commit that shows the first screen of rows`,
      figure: msText(firstCommitted.median),
      budget: `< ${FIRST_RENDER_BUDGET_MS} ms, filling the window`,
      ok: firstCommitted.median < FIRST_RENDER_BUDGET_MS && filled,
      reference: `p95 ${msText(firstCommitted.p95)}; ${firstRows} rows, ${filled ? 'past' : 'NOT past'} the bottom of the 900 px window; painted ${msText(median((l) => l.firstPainted))}; ` +
        `all ${SESSIONS} rows committed ${msText(median((l) => l.committed))}, painted ${msText(median((l) => l.painted))}; longest task once the list arrived: ${taskText(median((l) => l.longestTask))}. ` +
        `Reference, the list in one step: every row committed ${msText(median((l) => l.committed, atOnce))} (${msText(median((l) => l.fromData, atOnce))} from the list's arrival), longest task ${taskText(median((l) => l.longestTask, atOnce))} (medians of ${LOADS} loads each, interleaved)`,
      values: {
        firstCommittedMedianMs: firstCommitted.median, firstCommittedP95Ms: firstCommitted.p95, firstRows, filled, firstPaintedMedianMs: median((l) => l.firstPainted),
        committedMedianMs: median((l) => l.committed), fromDataMedianMs: median((l) => l.fromData), paintedMedianMs: median((l) => l.painted), longestTaskMedianMs: median((l) => l.longestTask), loads: LOADS,
        oneStepCommittedMedianMs: median((l) => l.committed, atOnce), oneStepFromDataMedianMs: median((l) => l.fromData, atOnce), oneStepLongestTaskMedianMs: median((l) => l.longestTask, atOnce),
      },
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
