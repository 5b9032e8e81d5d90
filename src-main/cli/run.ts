/** The `oidc-desk` dispatcher: parses argv, builds the context, runs one command and turns any error into `error <CODE>: <message>` and its exit status. */
import { readFileSync } from 'node:fs';
import { helpText, parseArgv, typedValues, type Command, type ParsedArgs } from './args.ts';
import { createContext, type CliContext } from './context.ts';
import { removeRedirectFiles } from './browser.ts';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes.ts';
import { Output, type Io } from './output.ts';
import { demoIdp } from './commands/demo-idp.ts';
import { inspect } from './commands/inspect.ts';
import { flowTtlFor, login } from './commands/login.ts';
import { logout } from './commands/logout.ts';
import { profileAdd, profileList, profileRemove } from './commands/profile.ts';
import { quickstart } from './commands/quickstart.ts';
import { refresh } from './commands/refresh.ts';
import { sessions } from './commands/sessions.ts';
import { token } from './commands/token.ts';
import { userinfo } from './commands/userinfo.ts';

function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const v = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['version'] : undefined;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

function dispatch(ctx: CliContext, command: Command): Promise<ExitCode> {
  switch (command.kind) {
    case 'help':
      ctx.out.data(helpText(command.topic));
      return Promise.resolve(EXIT.OK);
    case 'version':
      ctx.out.data(`oidc-desk ${version()}`);
      return Promise.resolve(EXIT.OK);
    case 'profile-add': return profileAdd(ctx, command);
    case 'profile-list': return profileList(ctx, command);
    case 'profile-remove': return profileRemove(ctx, command);
    case 'login': return login(ctx, command);
    case 'sessions': return sessions(ctx, command);
    case 'token': return token(ctx, command);
    case 'inspect': return inspect(ctx, command);
    case 'refresh': return refresh(ctx, command);
    case 'userinfo': return userinfo(ctx, command);
    case 'logout': return logout(ctx, command);
    case 'demo-idp': return demoIdp(ctx, command);
    case 'quickstart': return quickstart(ctx, command);
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
  const timeoutSeconds = command.kind === 'login' || command.kind === 'quickstart' ? command.timeoutSeconds : undefined;
  const ctx = createContext({ dataDir: parsed.dataDir, env, out, flowTtlMs: flowTtlFor(timeoutSeconds) });
  let exitCode: ExitCode;
  try {
    exitCode = await dispatch(ctx, command);
  } catch (error) {
    out.error(error);
    exitCode = exitCodeFor(error);
  } finally {
    // The command has ended, and with it any sign-in: its redirect file has served.
    removeRedirectFiles();
  }
  await out.flush();
  return { exitCode, keychainStuck: ctx.keychainStuck };
}
