/**
 * The `oidc-desk` process entry (built into dist/cli/main.cjs, run by bin/oidc-desk.cjs): runs the command,
 * then ends the process with its exit status. No top-level await: the built CLI is one CommonJS file, so
 * that V8 can start it from a code cache (scripts/build.mjs says why).
 */
import { watchStreams } from './output.ts';
import { run } from './run.ts';

const io = { stdout: process.stdout, stderr: process.stderr };
// Before anything is written: a reader that goes away (`| head -1`) must not crash the run.
const streams = watchStreams(io);
void run(process.argv.slice(2), io, process.env).then((result) => {
  if (result.keychainStuck) {
    // A timed-out keychain call holds a libuv pool thread that process.exit() would wait for forever.
    process.kill(process.pid, 'SIGKILL');
  }
  process.exit(streams.statusFor(result.exitCode));
});
