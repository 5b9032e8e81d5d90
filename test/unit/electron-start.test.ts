/**
 * `npm start` (scripts/start.mjs) once the desktop main process is built: with an Electron binary it starts that
 * binary on the app's directory (here a stand-in shell script, NOT Electron, that records its arguments);
 * without one it still falls back to browser mode (test/e2e/cli-ui-start.test.ts runs that path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('with an Electron binary and the built main process, npm start launches the binary on the app directory', { timeout: 60_000 }, async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/electron/main.js');
  assert.ok(existsSync(join(ROOT, pkg.main)), 'npm run build made the main process');
  const dist = await mkdtemp(join(tmpdir(), 'oidc-desk-electron-stand-in-'));
  const record = join(dist, 'argv');
  // A stand-in, not Electron: it writes its arguments and exits.
  await writeFile(join(dist, 'electron'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\n`);
  await chmod(join(dist, 'electron'), 0o755);
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--no-build'], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /browser mode/, 'no fallback');
  assert.deepEqual((await readFile(record, 'utf8')).trim().split('\n'), [ROOT], 'the binary runs the app directory (package.json main)');
});
