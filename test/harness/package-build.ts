/** One run of `npm run dist` (scripts/dist.mjs) for the packaging test: Linux `dir` and `deb` into a temporary directory, from a stand-in Electron (NOT Electron) and a stand-in fpm (NOT fpm). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'app-builder-lib';
import { FPM_STAND_IN, makeElectronStandIn } from './electron-stand-in.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST_SCRIPT = join(ROOT, 'scripts', 'dist.mjs');

/** package.json as the packaging test reads it. */
export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly main: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

export function readPackageJson(): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
}

function installed(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

/** Why the packaging build cannot run here, or undefined when it can. */
export function packagingSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the packaging test builds Linux packages (dir, deb) and runs on Linux only';
  for (const bin of ['dpkg-deb', 'desktop-file-validate']) {
    if (!installed(bin)) return `${bin} is not installed (.ci/run installs dpkg and desktop-file-utils)`;
  }
  const { main } = readPackageJson();
  if (!existsSync(join(ROOT, main))) return `the desktop app's main process (package.json "main": ${main}) is not built, so there is no app to package`;
  return undefined;
}

/** What one packaging build left in its temporary directory. */
export interface LinuxPackages {
  /** The unpacked app, linux-unpacked/ (what the .deb installs under /opt/OIDC Desk). */
  readonly unpacked: string;
  /** The packaged executable: the stand-in's `electron` renamed by electron-builder. */
  readonly executable: string;
  readonly asar: string;
  readonly deb: string;
  /** The stand-in Electron distribution as made, before packaging. */
  readonly standIn: string;
  /** A scratch directory inside the temporary directory, removed with it. */
  readonly scratch: string;
  /** What electron-builder printed. */
  readonly log: string;
  /** Removes everything the build made. */
  remove(): Promise<void>;
}

/**
 * Runs `node scripts/dist.mjs --no-build --linux dir deb` with the stand-ins, its output directory, caches and
 * temporary files inside one temporary directory. Throws with electron-builder's last lines when it fails.
 */
export async function buildLinuxPackages(): Promise<LinuxPackages> {
  const work = await mkdtemp(join(tmpdir(), 'oidc-desk-packaging-'));
  const standIn = await makeElectronStandIn();
  const remove = async (): Promise<void> => {
    await rm(work, { recursive: true, force: true });
    await rm(standIn, { recursive: true, force: true });
  };
  try {
    const output = join(work, 'release');
    const tmp = join(work, 'tmp');
    const scratch = join(work, 'scratch');
    await Promise.all([mkdir(tmp), mkdir(scratch)]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELECTRON_OVERRIDE_DIST_PATH: standIn,
      CUSTOM_FPM_PATH: FPM_STAND_IN,
      ELECTRON_BUILDER_CACHE: join(work, 'cache'),
      TMPDIR: tmp,
      // No progress bars, no effective-config file written beside the output.
      CI: 'true',
      // electron-builder runs `npm prefix` and `npm list`: no debug logs of theirs left in ~/.npm/_logs.
      npm_config_logs_max: '0',
    };
    const { status, log } = await new Promise<{ status: number | null; log: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [DIST_SCRIPT, '--no-build', '--linux', 'dir', 'deb', `-c.directories.output=${output}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.stderr.on('data', (d: Buffer) => chunks.push(d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, log: Buffer.concat(chunks).toString('utf8') }));
    });
    if (status !== 0) {
      throw new Error(`npm run dist (electron-builder, Linux dir + deb) failed with exit ${status}; its last lines:\n${log.split('\n').slice(-25).join('\n')}`);
    }
    const unpacked = join(output, 'linux-unpacked');
    const debs = (await readdir(output)).filter((name) => name.endsWith('.deb'));
    if (debs.length !== 1) throw new Error(`expected one .deb in the output directory, found ${debs.length}: ${(await readdir(output)).join(', ')}`);
    const { name } = readPackageJson();
    return {
      unpacked,
      executable: join(unpacked, name),
      asar: join(unpacked, 'resources', 'app.asar'),
      deb: join(output, debs[0] ?? ''),
      standIn,
      scratch,
      log,
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** What electron-builder made of electron-builder.yml: the configuration it validated, or its refusal. */
export type BuilderConfig = { readonly ok: true; readonly config: Configuration } | { readonly ok: false; readonly error: string };

const RESULT = '\n@@oidc-desk-builder-config@@';
const LOAD_CONFIG = `
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
const { DebugLogger } = require('builder-util');
(async () => {
  const config = await getConfig(process.cwd(), null, null);
  for (const [section, options] of Object.entries(JSON.parse(process.argv[1]))) config[section] = { ...config[section], ...options };
  try {
    await validateConfiguration(config, new DebugLogger(false));
    process.stdout.write(${JSON.stringify(RESULT)} + JSON.stringify({ ok: true, config }));
  } catch (error) {
    process.stdout.write(${JSON.stringify(RESULT)} + JSON.stringify({ ok: false, error: String(error.message) }));
  }
})();
`;

/**
 * Loads electron-builder.yml as electron-builder does (its defaults, package.json) and validates it against
 * electron-builder's schema, with `patch` merged into its sections first (e.g. a misspelt option). Runs in a
 * child process: electron-builder logs to stdout, which the test runner reserves for itself.
 */
export function loadBuilderConfig(patch: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {}): BuilderConfig {
  const r = spawnSync(process.execPath, ['-e', LOAD_CONFIG, JSON.stringify(patch)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const at = r.stdout.lastIndexOf(RESULT);
  if (r.status !== 0 || at < 0) throw new Error(`electron-builder could not load electron-builder.yml (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.slice(at + RESULT.length)) as BuilderConfig;
}
