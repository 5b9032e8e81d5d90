// Records every module a process loads (file URLs, one per line) in $OIDC_DESK_MODULE_TRACE:
// `node --import ./test/harness/module-trace.mjs bin/oidc-desk.cjs ...`. Plain JavaScript on purpose: a
// TypeScript loader here would be in the trace itself. The same file is the hooks module (in the hooks thread).
// Three sources: the module hook below (ES modules), CommonJS's require cache at exit (require() of CommonJS
// files and, from Node 20.19, of ES modules), and every file compiled through `vm.compileFunction` (how
// bin/oidc-desk.cjs runs the built CLI from its code cache), noted as `<url>` plus
// `code-cache:<url> <accepted|rejected|none>`.
// At exit it adds `internal:<name>` lines for the heavy parts of Node itself that were loaded.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';

const file = process.env.OIDC_DESK_MODULE_TRACE;

if (isMainThread && file) {
  register(import.meta.url);
  const compileFunction = vm.compileFunction;
  vm.compileFunction = function tracedCompileFunction(code, params, options) {
    const fn = compileFunction(code, params, options);
    const name = typeof options === 'object' && options !== null ? options.filename : undefined;
    if (typeof name === 'string' && name.startsWith('/')) {
      const url = pathToFileURL(name).href;
      const cache = options.cachedData === undefined ? 'none' : fn.cachedDataRejected ? 'rejected' : 'accepted';
      appendFileSync(file, `${url}\ncode-cache:${url} ${cache}\n`);
    }
    return fn;
  };
  const required = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const loaded = Object.keys(required).filter((path) => path.startsWith('/')).map((path) => `${pathToFileURL(path).href}\n`);
    // Node's fetch implementation loads on first touch of fetch, Response, Headers...: noted as `internal:undici`.
    if (process.moduleLoadList.some((m) => m.includes('undici'))) loaded.push('internal:undici\n');
    appendFileSync(file, loaded.join(''));
  });
}

/** The module hook: notes each loaded URL, builtins aside. */
export async function load(url, context, nextLoad) {
  if (file && url.startsWith('file:')) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
