// Records every module a process loads (file URLs, one per line) in $OIDC_DESK_MODULE_TRACE:
// `node --import ./test/harness/module-trace.mjs bin/oidc-desk.mjs ...`. Plain JavaScript on purpose: a
// TypeScript loader here would be in the trace itself. The same file is the hooks module (in the hooks thread).
// At exit it adds `internal:<name>` lines for the heavy parts of Node itself that were loaded.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const file = process.env.OIDC_DESK_MODULE_TRACE;

if (isMainThread && file) {
  register(import.meta.url);
  // Node's fetch implementation loads on first touch of fetch, Response, Headers...: noted as `internal:undici`.
  process.on('exit', () => {
    if (process.moduleLoadList.some((m) => m.includes('undici'))) appendFileSync(file, 'internal:undici\n');
  });
}

/** The module hook: notes each loaded URL, builtins aside. */
export async function load(url, context, nextLoad) {
  if (file && url.startsWith('file:')) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
