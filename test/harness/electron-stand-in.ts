/** A stand-in for an unpacked Electron distribution (NOT Electron) that electron-builder packages as `electronDist` in the packaging test. */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every file of the stand-in says about itself. */
export const NOT_ELECTRON = 'NOT ELECTRON: a stand-in for an Electron distribution, made by the OIDC Desk packaging test (test/harness/electron-stand-in.ts). It runs nothing.';

/** The fpm stand-in (NOT fpm) for CUSTOM_FPM_PATH: builds the .deb with dpkg-deb. */
export const FPM_STAND_IN = fileURLToPath(new URL('./fpm-stand-in.mjs', import.meta.url));

/**
 * The fuse wire as @electron/fuses finds it in an Electron binary: its sentinel, the wire version (1), the
 * number of fuses, then one byte per fuse ('0' off, '1' on), in FuseV1Options order.
 * @see https://github.com/electron/electron/blob/main/docs/tutorial/fuses.md
 */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/**
 * Electron's defaults, in FuseV1Options order: RunAsNode on, EnableCookieEncryption off,
 * EnableNodeOptionsEnvironmentVariable on, EnableNodeCliInspectArguments on,
 * EnableEmbeddedAsarIntegrityValidation off, OnlyLoadAppFromAsar off,
 * LoadBrowserProcessSpecificV8Snapshot off, GrantFileProtocolExtraPrivileges on.
 */
export const DEFAULT_FUSES = '10110001';

/** The stand-in's `electron` executable: a shell script that refuses to run, with the fuse wire in its last line. */
function executable(): Buffer {
  const script = [
    '#!/bin/sh',
    `# ${NOT_ELECTRON}`,
    `echo '${NOT_ELECTRON}' >&2`,
    'exit 1',
    '# The fuse wire below is for @electron/fuses to find and flip, as in a real Electron binary:',
    '# ',
  ].join('\n');
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL, 'latin1'), Buffer.from([1, DEFAULT_FUSES.length]), Buffer.from(DEFAULT_FUSES, 'latin1')]);
  return Buffer.concat([Buffer.from(script, 'utf8'), wire, Buffer.from('\n')]);
}

/** Writes the stand-in into a new temporary directory (the caller removes it) and returns that directory. */
export async function makeElectronStandIn(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oidc-desk-not-electron-'));
  await writeFile(join(dir, 'electron'), executable());
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(join(dir, 'NOT-ELECTRON.txt'), `${NOT_ELECTRON}\n`);
  // electron-builder moves LICENSE to LICENSE.electron.txt and removes `version`; both say what they are.
  await writeFile(join(dir, 'LICENSE'), `${NOT_ELECTRON}\nThis file stands where Electron's LICENSE goes.\n`);
  await writeFile(join(dir, 'LICENSES.chromium.html'), `<!doctype html><title>NOT Electron</title><p>${NOT_ELECTRON}</p>\n`);
  await writeFile(join(dir, 'version'), '0.0.0-not-electron-stand-in');
  return dir;
}
