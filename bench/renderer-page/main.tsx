/**
 * The render bench page: the real App over a stub API with N sessions (`?sessions=500`), under a React
 * Profiler (which reports only in the profiling build), timed with the Performance API.
 */
import { Profiler } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../../src-renderer/App.tsx';
import '../../src-renderer/styles.css';
import { log, onAppRender } from './profile-log.ts';
import { stubDesk } from './stub-desk.ts';

const count = Number(new URLSearchParams(window.location.search).get('sessions') ?? '500');
Object.defineProperty(window, 'oidcDesk', { value: stubDesk(count) });

const root = document.getElementById('root');
// The first commit that shows rows (a long list's first step), and the one that shows every row: each
// commit's DOM changes are observed right after it, in the same task.
const observer = new MutationObserver(() => {
  const rows = document.querySelectorAll('.session-row').length;
  if (rows > 0 && performance.getEntriesByName('first-rows-committed').length === 0) {
    performance.mark('first-rows-committed', { detail: { rows } });
    // Asked after the mark: reading a row's position forces the layout (which the frame would do later anyway),
    // and that must not count as the commit's time.
    log.firstRowsBelowWindow = rowsBelowWindow();
    // A frame's callbacks run before its style, layout and paint; a task queued from there runs after them.
    requestAnimationFrame(() => setTimeout(() => performance.mark('first-rows-painted')));
  }
  if (rows !== count) return;
  observer.disconnect();
  performance.mark('rows-committed');
  requestAnimationFrame(() => setTimeout(() => performance.mark('rows-painted')));
});

/** True when the rows shown reach past the bottom of the window: the first step fills the screen. */
function rowsBelowWindow(): boolean {
  const rows = document.querySelectorAll('.session-row');
  const last = rows[rows.length - 1];
  return last !== undefined && last.getBoundingClientRect().bottom > window.innerHeight;
}

// Every task of 50 ms or more from here on (the page's main thread blocked for input that long).
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) log.longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask' });

performance.mark('render-start');
if (root !== null) {
  observer.observe(root, { childList: true, subtree: true });
  createRoot(root).render(
    <Profiler id="app" onRender={onAppRender}>
      <App />
    </Profiler>,
  );
}
