/** The `oidc-desk` dispatcher: parses argv, builds the context, runs one command and turns any error into `error <CODE>: <message>` and its exit status. */
import { readFileSync } from 'node:fs';
import { helpText, parseArgv, typedValues, type Command, type ParsedArgs } from './args.ts';
import type * as CommandModules from './command-modules.ts';
import type { CliContext } from './context.ts';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes.ts';
import { Output, type Io } from './output.ts';

function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const v = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The loaded command modules and the context they run in. */
interface Loaded {
  readonly commands: typeof CommandModules;
  readonly ctx: CliContext;
}

/**
 * Runs one command. `--version` and `help` answer at once; any other command first loads the command
 * modules with the core behind them (`load`, a dynamic import: one chunk of the built CLI).
 */
async function dispatch(command: Command, out: Output, load: () => Promise<Loaded>): Promise<ExitCode> {
  if (command.kind === 'help') {
    out.data(helpText(command.topic));
    return EXIT.OK;
  }
  if (command.kind === 'version') {
    out.data(`oidc-desk ${version()}`);
    return EXIT.OK;
  }
  const { commands: c, ctx } = await load();
  switch (command.kind) {
    case 'profile-add': return c.profileAdd(ctx, command);
    case 'profile-list': return c.profileList(ctx, command);
    case 'profile-remove': return c.profileRemove(ctx, command);
    case 'profile-secret': return c.profileSecret(ctx, command);
    case 'profile-key': return c.profileKey(ctx, command);
    case 'login': return c.login(ctx, command);
    case 'sessions': return c.sessions(ctx, command);
    case 'token': return c.token(ctx, command);
    case 'inspect': return c.inspect(ctx, command);
    case 'refresh': return c.refresh(ctx, command);
    case 'userinfo': return c.userinfo(ctx, command);
    case 'logout': return c.logout(ctx, command);
    case 'demo-idp': return c.demoIdp(ctx, command);
    case 'quickstart': return c.quickstart(ctx, command);
    case 'ui': return c.ui(ctx, command);
  }
}

/** The outcome of one run: the exit status, and whether a hung keychain call forces a hard exit. */
export interface RunResult {
  readonly exitCode: ExitCode;
  readonly keychainStuck: boolean;
}

/** Runs `oidc-desk` with these arguments (without node and the script) and returns the exit status. */
export async function run(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const out = new Output(io);
  let parsed: ParsedArgs;
  try {
    parsed = parseArgv(argv);
  } catch (error) {
    out.error(error);
    return { exitCode: exitCodeFor(error), keychainStuck: false };
  }
  const command = parsed.command;
  out.neverEcho(typedValues(command));
  let loaded: Loaded | undefined;
  const load = async (): Promise<Loaded> => {
    if (loaded === undefined) {
      const commands = await import('./command-modules.ts');
      // Browser mode runs for long: it follows what other processes change in the data directory.
      const readsKeychain = command.kind === 'token' || command.kind === 'refresh' || command.kind === 'userinfo' || command.kind === 'logout';
      loaded = { commands, ctx: commands.createContext({ dataDir: parsed.dataDir, env, out, watch: command.kind === 'ui', readsKeychain }) };
    }
    return loaded;
  };
  let exitCode: ExitCode;
  try {
    exitCode = await dispatch(command, out, load);
  } catch (error) {
    out.error(error);
    exitCode = exitCodeFor(error);
  } finally {
    // The command has ended, and with it any sign-in: its redirect file has served.
    loaded?.commands.removeRedirectFiles();
  }
  await out.flush();
  return { exitCode, keychainStuck: loaded?.ctx.keychainStuck === true };
}
