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
// The first commit that shows every row: its DOM changes are observed right after it, in the same task.
const observer = new MutationObserver(() => {
  if (document.querySelectorAll('.session-row').length !== count) return;
  observer.disconnect();
  log.firstFullRender = performance.now();
  performance.mark('rows-committed');
  // A frame's callbacks run before its style, layout and paint; a task queued from there runs after them.
  requestAnimationFrame(() => setTimeout(() => performance.mark('rows-painted')));
});

performance.mark('render-start');
if (root !== null) {
  observer.observe(root, { childList: true, subtree: true });
  createRoot(root).render(
    <Profiler id="app" onRender={onAppRender}>
      <App />
    </Profiler>,
  );
}
