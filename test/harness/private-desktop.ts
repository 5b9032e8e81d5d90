/**
 * A private XDG home for the Linux scheme registration (no display): where xdg-mime reads and writes, the
 * commands run, and a registry over it. Also a registry inside the X hand-off environment whose command is a
 * stand-in for the app's second instance, for self-tests through the OS.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSchemeRegistry, DESKTOP_FILE_ID, execFileRunner, xdgOpen, type ExecRunner, type SchemeRegistry,
} from '../../src-main/electron/scheme-registration.ts';
import type { HandoffEnvironment } from './xdg-handoff.ts';

const RECEIVER = fileURLToPath(new URL('./handoff-receiver.ts', import.meta.url));
/**
 * NOT the app: a stand-in for the app's second instance that the OS starts with `-- <url>`. It hands its argv
 * back to the test (node + tsx running test/harness/handoff-receiver.ts).
 */
export const STAND_IN_COMMAND: readonly string[] = [process.execPath, '--import', import.meta.resolve('tsx'), RECEIVER];

const NOT_ON_LINUX = {
  setAsDefaultProtocolClient: () => assert.fail('Linux registers through its own desktop entry'),
  isDefaultProtocolClient: () => assert.fail('Linux asks xdg-mime'),
  getApplicationNameForProtocol: () => assert.fail('Linux asks xdg-mime'),
};

/**
 * A Linux registry in the hand-off environment (private X display and XDG home): its entry starts
 * {@link STAND_IN_COMMAND}, which finds links of `schemes` in its argv; self-test URLs are opened with xdg-open.
 */
export function standInRegistry(desk: HandoffEnvironment, schemes: readonly string[], selfTestTimeoutMs: number): SchemeRegistry {
  const exec = execFileRunner({ ...desk.env, OIDC_DESK_HANDOFF_SCHEMES: schemes.join(',') });
  return createSchemeRegistry({
    platform: 'linux',
    app: NOT_ON_LINUX,
    openExternal: xdgOpen(exec),
    exec,
    dataHome: String(desk.env['XDG_DATA_HOME']),
    command: STAND_IN_COMMAND,
    selfTestTimeoutMs,
  });
}

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status === 0;
}

/** Why the Linux registration cannot be tested here, or false. */
export function privateDesktopSkip(): string | false {
  if (process.platform !== 'linux') return 'Linux only';
  const missing = ['xdg-mime', 'desktop-file-validate'].filter((bin) => !which(bin));
  return missing.length > 0 ? `not installed: ${missing.join(', ')} (packages xdg-utils desktop-file-utils)` : false;
}

/** One private XDG home. */
export interface PrivateDesktop {
  /** The environment xdg-mime runs with: HOME and the XDG dirs private, no desktop session. */
  readonly env: NodeJS.ProcessEnv;
  /** `$XDG_DATA_HOME`. */
  readonly data: string;
  readonly applications: string;
  /** Where the registry's desktop entry goes. */
  readonly entry: string;
  /** Every command the registry ran, as one line each. */
  readonly calls: string[];
  /** Runs commands in `env`, recording them in `calls`. */
  readonly exec: ExecRunner;
  /** What `xdg-mime query default` names for the scheme. */
  query(scheme: string): string;
  /** A Linux registry over this home (Electron's `app` must not be used on Linux). */
  registry(command: readonly string[], exec?: ExecRunner): SchemeRegistry;
  remove(): void;
}

/** Makes a private XDG home in the temporary directory. */
export function privateDesktop(): PrivateDesktop {
  const root = mkdtempSync(join(tmpdir(), 'oidc-desk-schemes-'));
  const [home, data, config] = ['home', 'data', 'config'].map((d) => join(root, d)) as [string, string, string];
  for (const dir of [home, data, config]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: data, XDG_CONFIG_HOME: config, XDG_DATA_DIRS: '/usr/local/share:/usr/share', XDG_CONFIG_DIRS: '/etc/xdg' };
  // A desktop session would send xdg-mime to gio or KDE's tools instead of the generic lookup.
  for (const name of ['XDG_CURRENT_DESKTOP', 'XDG_SESSION_DESKTOP', 'DESKTOP_SESSION', 'KDE_FULL_SESSION', 'GNOME_DESKTOP_SESSION_ID', 'DISPLAY', 'WAYLAND_DISPLAY']) delete env[name];
  const calls: string[] = [];
  const run = execFileRunner(env);
  const exec: ExecRunner = (file, args, options) => {
    calls.push([file, ...args].join(' '));
    return run(file, args, options);
  };
  const applications = join(data, 'applications');
  return {
    env,
    data,
    applications,
    entry: join(applications, DESKTOP_FILE_ID),
    calls,
    exec,
    query: (scheme) => spawnSync('xdg-mime', ['query', 'default', `x-scheme-handler/${scheme}`], { env, encoding: 'utf8' }).stdout.trim(),
    registry: (command, runner = exec) => createSchemeRegistry({
      platform: 'linux',
      app: NOT_ON_LINUX,
      openExternal: async () => assert.fail('nothing is opened here'),
      exec: runner,
      dataHome: data,
      command,
    }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
