/** The `oidc-desk` process entry (loaded by bin/oidc-desk.mjs): runs the command, then ends the process with its exit status. */
import { run } from './run.ts';

const result = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, process.env);
if (result.keychainStuck) {
  // A timed-out keychain call holds a libuv pool thread that process.exit() would wait for forever.
  process.kill(process.pid, 'SIGKILL');
}
process.exit(result.exitCode);
