/**
 * The Linux scheme registration for real: under a private XDG_DATA_HOME / XDG_CONFIG_HOME, the registry
 * writes one desktop entry that `desktop-file-validate` accepts, `xdg-mime query default` names it for the
 * app's scheme and a profile's, its status follows what the desktop says, and a bad scheme is refused
 * before any file is written or command run.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESKTOP_FILE_ID } from '../../src-main/electron/scheme-registration.ts';
import { privateDesktop as makeDesktop, privateDesktopSkip, type PrivateDesktop } from '../harness/private-desktop.ts';

const SKIP = privateDesktopSkip();

const desktops: PrivateDesktop[] = [];
after(() => {
  for (const desktop of desktops) desktop.remove();
});

function privateDesktop(): PrivateDesktop {
  const desktop = makeDesktop();
  desktops.push(desktop);
  return desktop;
}

test('register: one valid desktop entry for the app scheme and a profile scheme, named by xdg-mime; status yes/no as the desktop says', { skip: SKIP }, async () => {
  const desktop = privateDesktop();
  // The packaged app's path has a space (electron-builder installs to /opt/<product name>/): quoted per the spec.
  const schemes = desktop.registry(['/opt/OIDC Desk/oidc-desk']);
  assert.deepEqual(await schemes.status('dev.oidcdesk'), { registered: 'no', detail: 'No application is registered for this scheme.' });

  await schemes.register(['com.okta.dev-123']);
  const text = readFileSync(desktop.entry, 'utf8');
  const validated = spawnSync('desktop-file-validate', [desktop.entry], { encoding: 'utf8' });
  assert.equal(validated.status, 0, `desktop-file-validate: ${validated.stdout}${validated.stderr}`);
  assert.equal(`${validated.stdout}${validated.stderr}`.trim(), '', 'no warning either');
  assert.match(text, /^Type=Application$/m);
  assert.match(text, /^NoDisplay=true$/m);
  assert.match(text, /^Exec="\/opt\/OIDC Desk\/oidc-desk" -- %U$/m);
  assert.match(text, /^MimeType=x-scheme-handler\/dev\.oidcdesk;x-scheme-handler\/com\.okta\.dev-123;$/m);
  assert.equal(lstatSync(desktop.entry).mode & 0o777, 0o600);
  for (const scheme of ['dev.oidcdesk', 'com.okta.dev-123']) {
    assert.equal(desktop.query(scheme), DESKTOP_FILE_ID, `xdg-mime names the entry for ${scheme}`);
    assert.deepEqual(await schemes.status(scheme), { registered: 'yes', handler: DESKTOP_FILE_ID, detail: 'The desktop hands this scheme to OIDC Desk.' });
  }
  assert.equal((await schemes.status('com.example.other')).registered, 'no', 'a scheme never registered');

  // Another program takes the scheme over: no, and which one.
  writeFileSync(join(desktop.applications, 'other.desktop'), '[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\nMimeType=x-scheme-handler/com.okta.dev-123;\n');
  assert.equal(spawnSync('xdg-mime', ['default', 'other.desktop', 'x-scheme-handler/com.okta.dev-123'], { env: desktop.env }).status, 0);
  assert.deepEqual(await schemes.status('com.okta.dev-123'), { registered: 'no', handler: 'other.desktop', detail: 'Another application is registered for this scheme.' });

  // Registering the profiles' schemes again, without that profile: the entry no longer lists it.
  await schemes.register(['org.example.desk']);
  assert.match(readFileSync(desktop.entry, 'utf8'), /^MimeType=x-scheme-handler\/dev\.oidcdesk;x-scheme-handler\/org\.example\.desk;$/m);
  assert.equal((await schemes.status('org.example.desk')).registered, 'yes');
  assert.equal(spawnSync('xdg-mime', ['default', DESKTOP_FILE_ID, 'x-scheme-handler/com.okta.dev-123'], { env: desktop.env }).status, 0);
  assert.equal((await schemes.status('com.okta.dev-123')).registered, 'no', 'the entry does not list it: not registered, whatever mimeapps.list says');
});

test('a development command (node, the app path) is written unquoted where it can be', { skip: SKIP }, async () => {
  const desktop = privateDesktop();
  await desktop.registry([process.execPath, '/work/oidc-desk']).register([]);
  assert.match(readFileSync(desktop.entry, 'utf8'), new RegExp(`^Exec=${process.execPath.replaceAll('.', '\\.')} /work/oidc-desk -- %U$`, 'm'));
  assert.equal(spawnSync('desktop-file-validate', [desktop.entry]).status, 0);
});

test('a scheme that is not reverse-domain, or carries control characters, is refused before any file or command', { skip: SKIP }, async () => {
  const desktop = privateDesktop();
  const schemes = desktop.registry(['/usr/bin/oidc-desk']);
  const bad = ['myapp', 'javascript', 'file', 'http', 'Dev.OidcDesk', 'com.example;x-scheme-handler/http', 'com.example\nExec=/bin/sh', 'com.exa\x1bmple', 'com.example\x07', 'com.example evil', '--help.x', 'com..example'];
  for (const scheme of bad) {
    await assert.rejects(schemes.register(['com.okta.dev-123', scheme]), (e: unknown) => (e as { code?: unknown }).code === 'REDIRECT_SCHEME_INVALID');
    await assert.rejects(schemes.status(scheme), (e: unknown) => (e as { code?: unknown }).code === 'REDIRECT_SCHEME_INVALID');
  }
  assert.equal(existsSync(desktop.applications), false, 'no folder, no file');
  assert.deepEqual(desktop.calls, [], 'no command ran');
});

test('the entry is never written through a symbolic link', { skip: SKIP }, async () => {
  const desktop = privateDesktop();
  mkdirSync(desktop.applications, { recursive: true });
  const target = join(desktop.data, 'elsewhere.desktop');
  writeFileSync(target, 'untouched\n');
  symlinkSync(target, desktop.entry);
  await assert.rejects(desktop.registry(['/usr/bin/oidc-desk']).register([]), (e: unknown) => (e as { code?: unknown }).code === 'DATA_DIR_INSECURE');
  assert.equal(readFileSync(target, 'utf8'), 'untouched\n');
  assert.ok(lstatSync(desktop.entry).isSymbolicLink(), 'the link is left for the user to look at');
  assert.deepEqual(desktop.calls, [], 'xdg-mime was not asked to name an entry that was not written');
});
