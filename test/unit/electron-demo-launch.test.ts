/**
 * The desktop app starts the demo provider without ELECTRON_RUN_AS_NODE and without the CLI: the BUILT main
 * process (dist/electron/main.js), loaded in plain Node with 'electron' mapped to the FAKE module
 * (test/harness/fake-electron.ts: not Electron; its `utilityProcess.fork` runs the module with this Node),
 * forks the bundled entry dist/electron/demo-idp.js as a utility process on a temp data directory. The
 * provider answers discovery on its issuer, the desk reports it through the window's IPC, its output lands
 * in demo-idp/provider.log, quitting the app stops it cleanly, and the CLI's launcher starts it again on
 * the recorded issuer. The launcher's failure path, the entry's argument check, and a grep of the built app
 * for ELECTRON_RUN_AS_NODE complete it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeskError } from '../../src-main/core/errors.ts';
import { DATA_DIR_ENV } from '../../src-main/electron/config.ts';
import { utilityDemoLauncher } from '../../src-main/electron/demo-launcher.ts';
import { DEMO_PORT_ENV, demoPaths, ensureDemoProvider, readDemoState, stopDemoProvider } from '../../src-main/demo-idp/persistent.ts';
import { app, called, ipcMain, utilityProcess, utilityProcesses, windows } from '../harness/fake-electron.ts';

register('../harness/fake-electron-loader.mjs', import.meta.url);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN_BUNDLE = join(ROOT, 'dist', 'electron', 'main.js');
const DEMO_ENTRY = join(ROOT, 'dist', 'electron', 'demo-idp.js');

async function until(what: () => boolean | Promise<boolean>): Promise<void> {
  // Bounded by the test's timeout; no timing is asserted.
  while (!(await what())) await new Promise((r) => setTimeout(r, 20));
}

async function logText(dataDir: string): Promise<string> {
  return readFile(demoPaths(dataDir).log, 'utf8').catch(() => '');
}

interface Answer<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: { readonly code: string };
}
interface DemoView {
  readonly running: boolean;
  readonly issuer: string | null;
  readonly pid: number | null;
}

test('the built app forks dist/electron/demo-idp.js as a utility process; the provider answers, the desk reports it, quitting stops it, the CLI starts it again on its issuer', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-launch-'));
  process.env[DATA_DIR_ENV] = dataDir;
  process.env['OIDC_DESK_KEYCHAIN_SERVICE'] = `OIDC Desk demo launch test ${process.pid}`;
  process.env[DEMO_PORT_ENV] = '0';
  await import(pathToFileURL(MAIN_BUNDLE).href);
  app.emitReady();
  await until(() => windows.length === 1 && ipcMain.handlers.has('desk:ensureDemoProvider'));
  const [window] = windows;
  assert.ok(window !== undefined);
  const own = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
  try {
    assert.deepEqual(await ipcMain.invoke('desk:demoProvider', own), { ok: true, value: { running: false, issuer: null, pid: null } });

    const ensured = (await ipcMain.invoke('desk:ensureDemoProvider', own)) as Answer<{ provider: DemoView }>;
    assert.equal(ensured.ok, true, ensured.error?.code);
    const provider = ensured.value?.provider;
    assert.ok(provider !== undefined && provider.issuer !== null && provider.pid !== null);
    assert.match(provider.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);

    const forks = called('utilityProcess.fork');
    assert.equal(forks.length, 1, 'one utility process');
    const [modulePath, args, options] = forks[0] as [string, string[], { env: NodeJS.ProcessEnv; cwd: string; stdio: unknown; serviceName: string }];
    assert.equal(modulePath, DEMO_ENTRY, 'the bundled entry, inside the asar\'s dist/electron/');
    assert.deepEqual(args, ['--data-dir', dataDir]);
    assert.equal(options.serviceName, 'OIDC Desk demo provider');
    assert.equal(options.stdio, 'pipe');
    assert.equal(options.cwd, demoPaths(dataDir).dir);
    assert.equal(options.env['ELECTRON_RUN_AS_NODE'], undefined, 'no RunAsNode');
    assert.equal(options.env[DEMO_PORT_ENV], '0', 'the app\'s environment');
    const [child] = utilityProcesses;
    assert.ok(child !== undefined);
    assert.equal(child.pid, provider.pid, 'the provider recorded the utility process\'s pid');

    const discovery = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.equal(((await discovery.json()) as { issuer?: unknown }).issuer, provider.issuer);

    assert.deepEqual(await ipcMain.invoke('desk:demoProvider', own), { ok: true, value: provider });
    const again = (await ipcMain.invoke('desk:ensureDemoProvider', own)) as Answer<{ provider: DemoView }>;
    assert.deepEqual(again.value?.provider, provider, 'the running provider is reused');
    assert.equal(called('utilityProcess.fork').length, 1, 'no second fork');

    await until(async () => (await logText(dataDir)).includes(`OIDC Desk demo provider at ${provider.issuer}`));

    // Quitting the app stops its utility process, which records a clean stop.
    const exited = once(child, 'exit');
    app.emit('will-quit');
    const [code] = (await exited) as [number];
    assert.equal(code, 0, await logText(dataDir));
    assert.equal((await readDemoState(dataDir))?.pid, null);

    // The next start, here the CLI's (a detached `oidc-desk demo-idp`), takes the recorded issuer again.
    const cli = await ensureDemoProvider({ dataDir, env: process.env });
    assert.equal(cli.started, true);
    assert.equal(cli.issuer, provider.issuer);
  } finally {
    await stopDemoProvider({ dataDir });
  }
});

test('a provider the app launcher started is stopped by `demo-idp --stop`\'s function, and reported gone', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-launch-stop-'));
  const launcher = utilityDemoLauncher(utilityProcess, DEMO_ENTRY);
  const started = await ensureDemoProvider({ dataDir, env: { ...process.env, [DEMO_PORT_ENV]: '0' }, command: launcher });
  const child = utilityProcesses.at(-1);
  assert.ok(child !== undefined && child.pid === started.pid);
  const exited = once(child, 'exit');
  assert.equal(await stopDemoProvider({ dataDir }), true);
  await exited;
  assert.equal((await readDemoState(dataDir))?.pid, null);
});

test('an entry that exits at once fails the start with LOOPBACK_LISTEN_FAILED, and releases the lock', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oidc-desk-demo-launch-fail-'));
  const launcher = utilityDemoLauncher(utilityProcess, join(ROOT, 'dist', 'electron', 'no-such-entry.js'));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    await assert.rejects(ensureDemoProvider({ dataDir, command: launcher, timeoutMs: 30_000 }), (error) => isDeskError(error, 'LOOPBACK_LISTEN_FAILED'));
  }
});

test('the entry runs only with an absolute --data-dir', { timeout: 30_000 }, async () => {
  for (const args of [[], ['--data-dir'], ['--data-dir', 'relative/dir']]) {
    const child = spawn(process.execPath, [DEMO_ENTRY, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2, `${JSON.stringify(args)}: ${stderr}`);
    assert.match(stderr, /--data-dir/);
  }
});

test('no part of the desktop app sets ELECTRON_RUN_AS_NODE (the built bundles and the shell\'s sources)', async () => {
  const built = (await readdir(join(ROOT, 'dist', 'electron'))).map((f) => join(ROOT, 'dist', 'electron', f));
  assert.ok(built.includes(MAIN_BUNDLE) && built.includes(DEMO_ENTRY), 'npm run build made main.js and demo-idp.js');
  const sources = (await readdir(join(ROOT, 'src-main', 'electron'))).map((f) => join(ROOT, 'src-main', 'electron', f));
  for (const file of [...built, ...sources]) {
    assert.doesNotMatch(await readFile(file, 'utf8'), /ELECTRON_RUN_AS_NODE/, file);
  }
});
