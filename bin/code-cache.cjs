// The built CLI's V8 code cache. `npm run build` compiles dist/cli/main.cjs once and writes what V8 made of
// it beside it (main.cjs.cache); bin/oidc-desk.cjs then starts the CLI from that cache instead of parsing
// about 480 KB of JavaScript at every start. Node 22 does the same for any module (module.enableCompileCache);
// Node 20, which OIDC Desk supports, has nothing like it, so this is the same idea in a few lines:
// `vm.compileFunction` with `cachedData`, with the parameters Node's own CommonJS loader gives a file.
//
// A cache is used only for the file it was made from: its header holds that file's size and modification
// time (as Python's .pyc files do) and the Node version, and V8 itself refuses a cache made by another V8 or
// with other flags. Anything else (no cache, a stale one, one V8 refuses) compiles from the source: slower,
// never wrong. The cache sits in the package's own directory beside the code it stands for, and is written
// only by the build; nothing reads or writes it from the data directory.
'use strict';
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { isAscii } = require('node:buffer');
const { compileFunction } = require('node:vm');

const MAGIC = 'oidc-desk code cache 1';
// What Node's CommonJS loader gives a file, so that the file runs as if required.
const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** The header a cache of `file` must start with: this Node, and the file's size and modification time. */
function stampOf(file) {
  const { size, mtimeMs } = statSync(file);
  return `${MAGIC} node ${process.version} ${size} ${Math.trunc(mtimeMs)}\n`;
}

/**
 * Compiles a built CommonJS file, from its code cache when the cache belongs to it.
 * `cache` says what happened: 'accepted', 'rejected' (by V8: another V8 or other flags), 'stale' (made for
 * another file or Node) or 'absent'. Without a cache file, V8 makes one of the compiled code (`fn.cachedData`).
 * @param {string} file
 * @param {string | undefined} cacheFile
 * @returns {{ fn: Function & { cachedData?: Buffer }, cache: 'accepted' | 'rejected' | 'stale' | 'absent' }}
 */
function compileBuilt(file, cacheFile) {
  const text = readFileSync(file);
  // The build writes ASCII only: read as Latin-1, it is the same text, made without UTF-8 decoding.
  const source = isAscii(text) ? text.toString('latin1') : text.toString('utf8');
  let cachedData;
  let cache = 'absent';
  if (cacheFile !== undefined) {
    let bytes;
    try {
      bytes = readFileSync(cacheFile);
    } catch {
      // No cache: compile from the source.
    }
    if (bytes !== undefined) {
      const stamp = stampOf(file);
      if (bytes.length > stamp.length && bytes.toString('latin1', 0, stamp.length) === stamp) cachedData = bytes.subarray(stamp.length);
      else cache = 'stale';
    }
  }
  const fn = compileFunction(source, PARAMS, { filename: file, cachedData, produceCachedData: cacheFile === undefined });
  if (cachedData !== undefined) cache = fn.cachedDataRejected === true ? 'rejected' : 'accepted';
  return { fn, cache };
}

/**
 * Writes the code cache of a built file (the build calls it right after writing the file), atomically.
 * @param {string} file
 * @param {string} cacheFile
 * @returns {number} the size of the cache in bytes
 */
function writeCodeCache(file, cacheFile) {
  const data = compileBuilt(file, undefined).fn.cachedData;
  if (data === undefined) throw new Error(`V8 made no code cache for ${file}`);
  const bytes = Buffer.concat([Buffer.from(stampOf(file), 'latin1'), data]);
  const partial = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(partial, bytes);
  renameSync(partial, cacheFile);
  return bytes.length;
}

/**
 * Runs a built CommonJS file as Node's loader would (its own `require`, `module`, `__filename`), compiled
 * from its code cache when that cache belongs to it.
 * @param {string} file
 * @param {string} cacheFile
 */
function runBuilt(file, cacheFile) {
  const { fn } = compileBuilt(file, cacheFile);
  const module = { exports: {} };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

module.exports = { compileBuilt, writeCodeCache, runBuilt };
