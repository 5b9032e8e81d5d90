#!/usr/bin/env node
// NOT fpm: a stand-in for fpm (https://github.com/jordansissel/fpm) used only by OIDC Desk's packaging test,
// where fpm cannot be installed. electron-builder runs it through CUSTOM_FPM_PATH with the arguments it gives
// fpm (`-s dir -t deb ... <source>=<destination>...`); it builds a real .deb with dpkg-deb from them: the
// mapped files, DEBIAN/control from the metadata options, postinst/postrm from --after-install/--after-remove.
// Only `-s dir -t deb` is understood; anything it does not know makes it fail, naming the option.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const WITH_VALUE = new Set([
  '-s', '-t', '-d', '--architecture', '--after-install', '--after-remove', '--description', '--version',
  '--package', '--name', '--maintainer', '--vendor', '--url', '--license', '--category', '--deb-priority',
  '--deb-compression', '--deb-recommends', '--iteration', '--log',
]);
const FLAGS = new Set(['--force', '--debug']);

function fail(message) {
  process.stderr.write(`fpm stand-in (not fpm): ${message}\n`);
  process.exit(2);
}

const options = new Map();
const mappings = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 1) {
  const arg = argv[i];
  if (WITH_VALUE.has(arg)) {
    if (i + 1 >= argv.length) fail(`${arg} needs a value`);
    const list = options.get(arg) ?? [];
    list.push(argv[(i += 1)]);
    options.set(arg, list);
  } else if (FLAGS.has(arg)) {
    // --force: the package is overwritten anyway; --debug: nothing to say.
  } else if (arg.startsWith('-')) {
    fail(`unknown option ${arg}`);
  } else {
    const at = arg.indexOf('=');
    if (at <= 0) fail(`a source mapping must be <source>=<destination>: ${arg}`);
    mappings.push({ source: arg.slice(0, at), destination: arg.slice(at + 1) });
  }
}
const one = (name) => options.get(name)?.at(-1);
if (one('-s') !== 'dir' || one('-t') !== 'deb') fail('only -s dir -t deb is supported');
for (const required of ['--name', '--version', '--architecture', '--maintainer', '--description', '--package']) {
  if (one(required) === undefined) fail(`${required} is missing`);
}

const staging = mkdtempSync(join(tmpdir(), 'fpm-stand-in-'));
// The staging root becomes the package's `./`: it must not keep mkdtemp's 0700.
chmodSync(staging, 0o755);
try {
  for (const { source, destination } of mappings) {
    const target = join(staging, destination);
    if (statSync(source).isDirectory()) {
      mkdirSync(target, { recursive: true });
      cpSync(source, target, { recursive: true, verbatimSymlinks: true });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      cpSync(source, target);
    }
  }
  const debian = join(staging, 'DEBIAN');
  mkdirSync(debian, { recursive: true });
  const installedKiB = Number(spawnSync('du', ['-sk', '--exclude=DEBIAN', staging], { encoding: 'utf8' }).stdout.split('\t')[0]);
  // Debian policy 5.6.13: the first line is the synopsis, the rest continuation lines (" ", " ." for blank).
  const [synopsis, ...rest] = one('--description').split('\n').map((line) => line.trim());
  const longLines = rest.map((line) => (line === '' ? ' .' : ` ${line}`));
  const version = one('--iteration') === undefined ? one('--version') : `${one('--version')}-${one('--iteration')}`;
  const fields = [
    ['Package', one('--name')],
    ['Version', version],
    ['License', one('--license')],
    ['Vendor', one('--vendor')],
    ['Architecture', one('--architecture')],
    ['Maintainer', one('--maintainer')],
    ['Installed-Size', Number.isFinite(installedKiB) ? String(installedKiB) : undefined],
    ['Depends', options.get('-d')?.join(', ')],
    ['Recommends', options.get('--deb-recommends')?.join(', ')],
    ['Section', one('--category') ?? 'default'],
    ['Priority', one('--deb-priority') ?? 'optional'],
    ['Homepage', one('--url')],
    ['Description', [synopsis || one('--name'), ...longLines].join('\n')],
  ];
  writeFileSync(join(debian, 'control'), fields.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}: ${value}`).join('\n') + '\n');
  for (const [option, script] of [['--after-install', 'postinst'], ['--after-remove', 'postrm']]) {
    const file = one(option);
    if (file === undefined) continue;
    writeFileSync(join(debian, script), readFileSync(file));
    chmodSync(join(debian, script), 0o755);
  }
  const compression = one('--deb-compression') ?? 'xz';
  const built = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', staging, one('--package')], { encoding: 'utf8' });
  if (built.error) fail(`dpkg-deb could not run (${built.error.code ?? built.error.message})`);
  if (built.status !== 0) fail(`dpkg-deb failed: ${built.stderr.trim()}`);
  process.stdout.write(`fpm stand-in (not fpm): built ${one('--package')} with dpkg-deb\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
