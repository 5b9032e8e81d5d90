// A private D-Bus session with an unlocked gnome-keyring (the real Secret Service) for tests and benches.
// No DISPLAY inside: with a display, a locked keyring would open a prompt and hang.
import { spawnSync } from 'node:child_process';

function which(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

/** True when dbus-run-session and gnome-keyring-daemon are installed (.ci/run installs them) and not turned off by OIDC_DESK_NO_KEYRING=1. */
export function keyringAvailable() {
  return process.env.OIDC_DESK_NO_KEYRING !== '1' && which('dbus-run-session') && which('gnome-keyring-daemon');
}

/**
 * The command line that runs `argv` inside a private D-Bus session with gnome-keyring unlocked and
 * OIDC_DESK_TEST_KEYRING=1 set: `{ cmd, args }` for spawn. Give the child a private XDG_DATA_HOME so the
 * keyring it creates never meets one already on the machine.
 */
export function inKeyringSession(argv) {
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return {
    cmd: 'dbus-run-session',
    args: ['--', 'sh', '-c', `printf %s oidc-desk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; export OIDC_DESK_TEST_KEYRING=1; exec ${quoted}`],
  };
}
