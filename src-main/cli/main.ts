/** The `oidc-desk` process entry (loaded by bin/oidc-desk.mjs): runs the command, then ends the process with its exit status. */
import { watchStreams } from './output.ts';
import { run } from './run.ts';

const io = { stdout: process.stdout, stderr: process.stderr };
// Before anything is written: a reader that goes away (`| head -1`) must not crash the run.
const streams = watchStreams(io);
const result = await run(process.argv.slice(2), io, process.env);
if (result.keychainStuck) {
  // A timed-out keychain call holds a libuv pool thread that process.exit() would wait for forever.
  process.kill(process.pid, 'SIGKILL');
}
process.exit(streams.statusFor(result.exitCode));
