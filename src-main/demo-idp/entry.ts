/**
 * The demo provider as a program of its own, without the CLI: `demo-idp.js --data-dir <absolute dir>` runs
 * the same server as `oidc-desk --data-dir <dir> demo-idp` on the data directory's recorded issuer until
 * SIGTERM or SIGINT, then records its clean stop. The desktop app bundles it as dist/electron/demo-idp.js and
 * runs it in an Electron utility process (no RunAsNode, no CLI in the package).
 * @module
 */
import { isAbsolute } from 'node:path';
import { isDeskError } from '../core/errors.ts';
import { DEMO_CLIENT_ID } from './demo-data.ts';
import { runningDemoProvider, startPersistentDemoProvider } from './persistent.ts';

const USAGE = 2;

/** The data directory the arguments name (`--data-dir <absolute path>`), or undefined. */
function dataDirArgument(args: readonly unknown[]): string | undefined {
  const at = args.indexOf('--data-dir');
  const value: unknown = at === -1 ? undefined : args[at + 1];
  return typeof value === 'string' && isAbsolute(value) ? value : undefined;
}

function say(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`demo-idp: ${text}\n`);
}

async function run(args: readonly unknown[]): Promise<number> {
  const dataDir = dataDirArgument(args);
  if (dataDir === undefined) {
    say(process.stderr, 'usage: demo-idp.js --data-dir <absolute path of the data directory>');
    return USAGE;
  }
  const running = await runningDemoProvider(dataDir);
  if (running !== undefined) {
    say(process.stderr, `the demo provider of this data directory already runs at ${running.issuer} (pid ${running.pid ?? '?'})`);
    return 1;
  }
  const provider = await startPersistentDemoProvider({ dataDir, env: process.env });
  say(process.stdout, `OIDC Desk demo provider at ${provider.issuer} (client "${DEMO_CLIENT_ID}"; keys and grants in ${dataDir}/demo-idp), pid ${process.pid}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say(process.stdout, 'stopping');
  await provider.close();
  return 0;
}

function unexpected(error: unknown): string {
  if (!(error instanceof Error)) return 'error';
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A DeskError's message says what to fix and carries no secret; anything else is named by its class and code only.
    say(process.stderr, isDeskError(error) ? `${error.code}: ${error.message}` : `unexpected failure (${unexpected(error)})`);
    process.exit(1);
  },
);
