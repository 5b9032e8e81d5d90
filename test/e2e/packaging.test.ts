/**
 * The installers: `npm run dist` (electron-builder with electron-builder.yml) builds the Linux app directory and
 * .deb from this tree's build, and what they hold is checked: the asar, keytar's addon beside it, the desktop
 * entry, the .deb control data, the fuses, and keytar loading from the packaged app into the real keyring.
 * Electron cannot be downloaded here: the Electron distribution is a STAND-IN THAT IS NOT ELECTRON (a shell
 * script carrying the fuse wire, test/harness/electron-stand-in.ts), and fpm is a stand-in that builds the
 * .deb with dpkg-deb (test/harness/fpm-stand-in.mjs). The macOS and Windows settings, which cannot be built
 * here, are checked as electron-builder reads them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractAll, extractFile, listPackage, statFile } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import type { Configuration } from 'app-builder-lib';
import { ensureRendererBuilt } from '../harness/app.ts';
import { KEYRING, NO_KEYRING } from '../harness/cli-runner.ts';
import { DEFAULT_FUSES, NOT_ELECTRON } from '../harness/electron-stand-in.ts';
import { buildLinuxPackages, loadBuilderConfig, packagingSkipReason, readPackageJson, ROOT } from '../harness/package-build.ts';
import type { LinuxPackages } from '../harness/package-build.ts';
import { recordSecrets } from '../harness/secrets-ledger.ts';

const pkg = readPackageJson();
const skip = packagingSkipReason();
const OFF = '0'.charCodeAt(0);
const ON = '1'.charCodeAt(0);

/** The desktop entry's file name: the app id, reverse-DNS as the freedesktop spec recommends, and package.json desktopName. */
const DESKTOP_FILE = 'dev.oidcdesk.app.desktop';
/** Where the .deb puts the app: electron-builder's /opt/<productName>. */
const INSTALL_DIR = './opt/OIDC Desk';

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('Linux packages from a stand-in Electron distribution (NOT Electron) and a dpkg-deb stand-in for fpm', () => {
  // Skipped test by test (not the suite), so that every skip is counted and reported with its reason.
  const whenBuilt = { skip: skip ?? false };
  let built: LinuxPackages;
  let entries: readonly string[];
  /** The .deb unpacked with dpkg-deb -x. */
  let debRoot: string;

  before(async () => {
    if (skip !== undefined) return;
    await ensureRendererBuilt();
    built = await buildLinuxPackages();
    entries = listPackage(built.asar, { isPack: false });
    debRoot = join(built.scratch, 'deb');
    run('dpkg-deb', ['-x', built.deb, debRoot]);
  }, { timeout: 240_000 });

  after(async () => {
    await built?.remove();
  });

  test('the stand-in is labelled as not Electron wherever it lands in the package', whenBuilt, () => {
    assert.ok(readFileSync(built.executable, 'utf8').includes(NOT_ELECTRON), 'the packaged executable does not carry the not-Electron label');
    assert.ok(readFileSync(join(built.unpacked, 'LICENSE.electron.txt'), 'utf8').includes(NOT_ELECTRON), 'LICENSE.electron.txt does not carry the not-Electron label');
    assert.ok(readFileSync(join(built.unpacked, 'NOT-ELECTRON.txt'), 'utf8').includes(NOT_ELECTRON));
  });

  test('the asar holds package.json, the main process package.json names, its preload, the demo provider entry and the renderer', whenBuilt, () => {
    for (const file of ['/package.json', `/${pkg.main}`, '/dist/electron/preload.cjs', '/dist/electron/demo-idp.js', '/dist/renderer/index.html']) {
      assert.ok(entries.includes(file), `${file} is not in app.asar`);
    }
    const packaged = JSON.parse(extractFile(built.asar, 'package.json').toString('utf8')) as { main?: unknown; name?: unknown; version?: unknown };
    assert.equal(packaged.main, pkg.main, 'the packaged package.json names another main');
    assert.equal(packaged.version, pkg.version);
    assert.ok(extractFile(built.asar, pkg.main).length > 0, `${pkg.main} is empty in app.asar`);
  });

  test('the asar holds no tests, sources, source maps, CLI or browser-mode build, and no development packages', whenBuilt, () => {
    const outside = entries.filter((e) => !e.startsWith('/node_modules/'));
    assert.deepEqual(outside.filter((e) => /^\/(test|src-main|src-renderer|bench|scripts|docs|build|release)(\/|$)/.test(e)), [], 'sources or tests in app.asar');
    assert.deepEqual(outside.filter((e) => /\.(ts|tsx|mts)$/.test(e)), [], 'TypeScript sources in app.asar');
    assert.deepEqual(entries.filter((e) => e.endsWith('.map')), [], 'source maps in app.asar');
    assert.deepEqual(outside.filter((e) => /^\/dist\/(cli|web)(\/|$)/.test(e)), [], 'the CLI or browser-mode build in app.asar');
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => entries.includes(`/node_modules/${name}/package.json`));
    assert.deepEqual(devOnly, [], 'development dependencies packaged');
    for (const name of ['react', 'react-dom', 'electron', 'electron-builder']) {
      assert.ok(!entries.includes(`/node_modules/${name}`), `${name} is packaged`);
    }
    for (const name of Object.keys(pkg.dependencies)) {
      assert.ok(entries.includes(`/node_modules/${name}/package.json`), `the production dependency ${name} is missing from app.asar`);
    }
  });

  test('keytar\'s native addon is unpacked beside the asar, not inside it', whenBuilt, () => {
    const addons = entries.filter((e) => e.endsWith('.node'));
    assert.ok(addons.includes('/node_modules/keytar/build/Release/keytar.node'), 'keytar.node is not listed in app.asar');
    for (const addon of addons) {
      assert.equal((statFile(built.asar, addon.slice(1)) as { unpacked?: boolean }).unpacked, true, `${addon} is packed inside app.asar`);
      assert.ok(existsSync(join(`${built.asar}.unpacked`, addon)), `${addon} is missing from app.asar.unpacked`);
    }
  });

  test('the desktop entry: the dev.oidcdesk scheme, the URL after --, Development; desktop-file-validate accepts it', whenBuilt, () => {
    const dir = join(debRoot, 'usr', 'share', 'applications');
    const files = readdirSync(dir).filter((f) => f.endsWith('.desktop'));
    assert.equal(files.length, 1, `expected one .desktop file, found: ${files.join(', ')}`);
    const file = join(dir, files[0] ?? '');
    const entry = readFileSync(file, 'utf8');
    assert.match(entry, /^MimeType=x-scheme-handler\/dev\.oidcdesk;$/m, 'no MimeType line for the dev.oidcdesk scheme');
    assert.match(entry, /^Exec=.* -- %U$/m, 'the Exec line does not end with -- %U');
    assert.match(entry, /^Categories=Development;$/m, 'Categories is not Development');
    assert.match(entry, /^Name=OIDC Desk$/m);
    // Electron takes its Wayland app_id and X11 WM_CLASS from package.json desktopName: the entry must be named
    // for it and say so, or the desktop cannot tie the app's windows (and portals) to this entry.
    assert.equal(files[0], DESKTOP_FILE, 'the desktop entry is not named for package.json desktopName');
    assert.match(entry, new RegExp(`^StartupWMClass=${DESKTOP_FILE.replace(/\.desktop$/, '').replaceAll('.', '\\.')}$`, 'm'), 'StartupWMClass is not the desktopName');
    const validate = spawnSync('desktop-file-validate', [file], { encoding: 'utf8' });
    assert.equal(validate.status, 0, `desktop-file-validate refused it: ${validate.stdout}${validate.stderr}`);
    assert.equal(validate.stdout.trim(), '', `desktop-file-validate warned: ${validate.stdout}`);
  });

  test('the .deb: control fields, and it installs the desktop entry and the executable', whenBuilt, () => {
    const field = (name: string): string => run('dpkg-deb', ['-f', built.deb, name]).trimEnd();
    assert.equal(field('Package'), pkg.name);
    assert.equal(field('Version'), pkg.version);
    assert.equal(field('Architecture'), run('dpkg', ['--print-architecture']).trim());
    assert.match(field('Maintainer'), /^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$/, 'Maintainer is not "name <email>"');
    const [synopsis, ...long] = field('Description').split('\n');
    assert.ok(synopsis !== undefined && synopsis.trim().length > 0, 'the Description has no synopsis');
    assert.ok(long.join(' ').includes(pkg.description), 'the long Description is not package.json\'s description');
    assert.match(field('Depends'), /\blibsecret-1-0\b/, 'Depends lacks libsecret-1-0 (keytar needs it)');

    const listing = run('dpkg-deb', ['-c', built.deb]).split('\n');
    const line = (path: string): string | undefined => listing.find((l) => l.endsWith(` ${path}`));
    assert.ok(line(`./usr/share/applications/${DESKTOP_FILE}`), 'the .deb does not install the desktop entry');
    assert.match(line(`${INSTALL_DIR}/${pkg.name}`) ?? '', /^-rwxr-xr-x root\/root /, 'the .deb does not install the executable as root-owned 0755');
    assert.ok(line(`${INSTALL_DIR}/resources/app.asar`), 'the .deb does not install app.asar');
    assert.ok(line(`${INSTALL_DIR}/resources/app.asar.unpacked/node_modules/keytar/build/Release/keytar.node`), 'the .deb does not install keytar.node');
  });

  test('the fuses are flipped in the packaged executable (read back from the stand-in\'s fuse wire)', whenBuilt, async () => {
    const standInWire = await getCurrentFuseWire(join(built.standIn, 'electron'));
    assert.equal(String.fromCharCode(...Object.keys(standInWire).filter((k) => k !== 'version').map((k) => Number(standInWire[k as unknown as FuseV1Options]))), DEFAULT_FUSES, 'the stand-in does not start from Electron\'s defaults');
    const fuses = await getCurrentFuseWire(built.executable);
    const expected: ReadonlyArray<readonly [FuseV1Options, number]> = [
      [FuseV1Options.RunAsNode, OFF],
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable, OFF],
      [FuseV1Options.EnableNodeCliInspectArguments, OFF],
      [FuseV1Options.OnlyLoadAppFromAsar, ON],
      [FuseV1Options.EnableCookieEncryption, ON],
    ];
    for (const [fuse, state] of expected) {
      assert.equal(fuses[fuse], state, `fuse ${FuseV1Options[fuse]} is ${String.fromCharCode(Number(fuses[fuse]))}, expected ${String.fromCharCode(state)}`);
    }
    assert.deepEqual(readFileSync(join(debRoot, INSTALL_DIR, pkg.name)), readFileSync(built.executable), 'the .deb holds an executable other than the fused one');
  });

  test('keytar loads from the packaged app and round-trips a secret through the real keyring', { skip: skip ?? (KEYRING ? false : NO_KEYRING) }, () => {
    const app = join(built.scratch, 'app');
    extractAll(built.asar, app);
    // Overlaid explicitly: the app must find the addon where the unpacked copy puts it.
    cpSync(`${built.asar}.unpacked`, app, { recursive: true });
    const secret = randomBytes(24).toString('base64url');
    recordSecrets(secret);
    const service = `oidc-desk-packaging-test-${randomBytes(6).toString('hex')}`;
    const child = `
      const { createRequire } = require('node:module');
      const appRequire = createRequire(${JSON.stringify(join(app, 'package.json'))});
      const keytar = appRequire('keytar');
      (async () => {
        const [service, account, secret] = process.argv.slice(1);
        await keytar.setPassword(service, account, secret);
        const read = await keytar.getPassword(service, account);
        const deleted = await keytar.deletePassword(service, account);
        const after = await keytar.getPassword(service, account);
        const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'));
        process.stdout.write(JSON.stringify({ module: appRequire.resolve('keytar'), addon, same: read === secret, deleted, after }));
      })().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
    `;
    const r = spawnSync(process.execPath, ['-e', child, service, 'packaging', secret], { cwd: built.scratch, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `keytar from the packaged app failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout) as { module: string; addon?: string; same: boolean; deleted: boolean; after: unknown };
    assert.ok(result.module.startsWith(`${app}/node_modules/keytar/`), `keytar came from ${result.module}, not the packaged app`);
    assert.equal(result.addon, join(app, 'node_modules/keytar/build/Release/keytar.node'), 'the addon did not load from the packaged app');
    assert.equal(result.same, true, 'the secret read back differs');
    assert.equal(result.deleted, true);
    assert.equal(result.after, null, 'the secret is still in the keyring after delete');
  });
});

describe('npm run dist without an Electron distribution', () => {
  function dist(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dist.mjs'), '--no-build'], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stderr: r.stderr };
  }

  test('ELECTRON_OVERRIDE_DIST_PATH naming no directory: one line, exit 1, before any build', () => {
    const { status, stderr } = dist({ ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(ROOT, '.no-such-electron-dist') });
    assert.equal(status, 1);
    assert.equal(stderr.trimEnd().split('\n').length, 1, `more than one line: ${stderr}`);
    assert.match(stderr, /^npm run dist: ELECTRON_OVERRIDE_DIST_PATH is not a directory/);
  });

  const hasBinary = existsSync(join(ROOT, 'node_modules', 'electron', 'dist'));
  test('no Electron binary in node_modules: one line naming the way to pass one', { skip: hasBinary ? 'an Electron binary is installed here' : false }, () => {
    const env = { ...process.env };
    delete env['ELECTRON_OVERRIDE_DIST_PATH'];
    const { status, stderr } = dist(env);
    assert.equal(status, 1);
    assert.equal(stderr.trimEnd().split('\n').length, 1, `more than one line: ${stderr}`);
    assert.match(stderr, /^npm run dist: no Electron binary here .*ELECTRON_OVERRIDE_DIST_PATH/);
  });
});

// Not buildable here (dmg needs macOS, NSIS needs Windows or wine, AppImage needs downloaded tools): the settings
// are checked as electron-builder itself loads and validates electron-builder.yml, and the NSIS include against
// the macros electron-builder's installer template calls.
describe('macOS, Windows and AppImage settings as electron-builder reads them (these installers cannot be built here)', () => {
  let loaded: Configuration | undefined;
  function effectiveConfig(): Configuration {
    if (loaded === undefined) {
      const result = loadBuilderConfig();
      assert.ok(result.ok, `electron-builder refused electron-builder.yml: ${result.ok ? '' : result.error}`);
      loaded = result.config;
    }
    return loaded;
  }

  test('electron-builder\'s schema accepts the configuration, and refuses a misspelt option (so the check can fail)', () => {
    effectiveConfig();
    const misspelt = loadBuilderConfig({ nsis: { perMachin: false } });
    assert.equal(misspelt.ok, false, 'a misspelt NSIS option passed validation');
    assert.match(misspelt.ok ? '' : misspelt.error, /configuration\.nsis\b/);
  });

  test('the targets per OS, the scheme, and the fuses for every platform', () => {
    const config = effectiveConfig();
    assert.equal(config.appId, 'dev.oidcdesk.app');
    assert.equal(config.productName, 'OIDC Desk');
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb', 'tar.gz']);
    assert.deepEqual(config.mac?.target, ['dmg']);
    assert.deepEqual(config.win?.target, ['nsis']);
    const protocols = [config.protocols ?? []].flat();
    assert.deepEqual(protocols.map((p) => p.schemes), [['dev.oidcdesk']]);
    assert.deepEqual(config.linux?.mimeTypes, undefined, 'the scheme listed in linux.mimeTypes too would repeat it in the desktop entry');
    assert.equal(config.npmRebuild, false);
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      resetAdHocDarwinSignature: true,
    });
  });

  test('macOS: hardened runtime with exactly the JIT entitlements Electron needs', { skip: installedPython() ? false : 'python3 is not installed (it parses the entitlements plist)' }, () => {
    const config = effectiveConfig();
    assert.equal(config.mac?.hardenedRuntime, true);
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      assert.equal(typeof file, 'string', 'no entitlements file');
      const parsed = spawnSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', join(ROOT, file ?? '')], { encoding: 'utf8' });
      assert.equal(parsed.status, 0, `the entitlements plist does not parse: ${parsed.stderr}`);
      assert.deepEqual(JSON.parse(parsed.stdout), {
        'com.apple.security.cs.allow-jit': true,
        'com.apple.security.cs.allow-unsigned-executable-memory': true,
      });
    }
  });

  test('Windows: a per-user NSIS install that registers dev.oidcdesk with "<exe>" -- "%1" and removes it on uninstall', () => {
    const config = effectiveConfig();
    assert.equal(config.nsis?.perMachine, false);
    assert.equal(config.nsis?.oneClick, true);
    const include = readFileSync(join(ROOT, config.nsis?.include ?? ''), 'utf8');
    const macro = (name: string): string => include.match(new RegExp(`^!macro ${name}\\n([\\s\\S]*?)^!macroend`, 'm'))?.[1] ?? '';
    const install = macro('customInstall');
    assert.match(install, /^ {2}WriteRegStr SHELL_CONTEXT "Software\\Classes\\dev\.oidcdesk" "URL Protocol" ""$/m, 'the scheme key is not marked as a URL protocol');
    assert.match(install, /^ {2}WriteRegStr SHELL_CONTEXT "Software\\Classes\\dev\.oidcdesk\\shell\\open\\command" "" '"\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}" -- "%1"'$/m, 'the open command is not "<exe>" -- "%1"');
    assert.match(macro('customUnInstall'), /^ {2}DeleteRegKey SHELL_CONTEXT "Software\\Classes\\dev\.oidcdesk"$/m, 'uninstall leaves the scheme registered');
    // electron-builder's own NSIS template must call these macros and define the executable's name.
    const templates = join(ROOT, 'node_modules', 'app-builder-lib', 'templates', 'nsis');
    assert.match(readFileSync(join(templates, 'installSection.nsh'), 'utf8'), /!insertmacro customInstall$/m);
    assert.match(readFileSync(join(templates, 'uninstaller.nsh'), 'utf8'), /!insertmacro customUnInstall$/m);
    assert.match(readFileSync(join(templates, 'common.nsh'), 'utf8'), /^!define APP_EXECUTABLE_FILENAME /m);
  });
});

function installedPython(): boolean {
  return spawnSync('sh', ['-c', 'command -v python3']).status === 0;
}
