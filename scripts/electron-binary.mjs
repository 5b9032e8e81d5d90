// Where the Electron executable is, found the way Electron's own index.js finds it but without
// require('electron'), which would try to download the binary (this project's build machines cannot):
// ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/path.txt under node_modules/electron/dist/.
// Shared by `npm start` (scripts/start.mjs) and the Electron end-to-end test (test/e2e/electron-app.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the desktop app's folder: `electron <root>` runs it from source). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Electron executable, or why there is none.
 * @param {string} [root] the folder whose node_modules/electron is looked in
 * @param {NodeJS.ProcessEnv} [env] where ELECTRON_OVERRIDE_DIST_PATH is read
 * @returns {{ file: string, missing?: undefined } | { file?: undefined, missing: string }}
 */
export function electronBinary(root = ROOT, env = process.env) {
  const pkg = join(root, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  const relative = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const file = join(override, relative || 'electron');
    return existsSync(file) ? { file } : { missing: `no Electron binary at ELECTRON_OVERRIDE_DIST_PATH (${file})` };
  }
  if (!existsSync(pkg)) return { missing: 'no Electron binary here (the electron package is not installed)' };
  const file = relative === undefined ? undefined : join(pkg, 'dist', relative);
  if (file === undefined || !existsSync(file)) {
    return { missing: 'no Electron binary here (node_modules/electron/dist is missing: Electron downloads it on first use, which this machine cannot do)' };
  }
  return { file };
}

/**
 * Why the desktop app's main process (the file package.json `main` names) cannot be started from `root`,
 * or undefined when it is built.
 * @param {string} [root]
 * @returns {string | undefined}
 */
export function mainProcessMissing(root = ROOT) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return typeof pkg.main === 'string' && existsSync(join(root, pkg.main)) ? undefined : `the desktop app's main process (${pkg.main}) is not built`;
}
