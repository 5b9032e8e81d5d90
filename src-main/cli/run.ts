/** The `oidc-desk` dispatcher: parses argv, builds the context, runs one command and turns any error into `error <CODE>: <message>` and its exit status. */
import { readFileSync } from 'node:fs';
import { helpText, parseArgv, typedValues, type Command, type ParsedArgs } from './args.ts';
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

/** The commands that may hand a sign-in to a browser (through a redirect file, removed when they end). */
const OPENS_A_BROWSER: ReadonlySet<Command['kind']> = new Set(['login', 'quickstart']);

/**
 * Runs one command. Each command's module, and the composition root with the core behind it, is loaded
 * only when that command runs (the built CLI has one chunk per lazily loaded part): `--version` and
 * `help` load neither, and no command loads what only another one uses.
 */
async function dispatch(command: Command, out: Output, openContext: () => Promise<CliContext>): Promise<ExitCode> {
  switch (command.kind) {
    case 'help':
      out.data(helpText(command.topic));
      return EXIT.OK;
    case 'version':
      out.data(`oidc-desk ${version()}`);
      return EXIT.OK;
    case 'profile-add': return (await import('./commands/profile.ts')).profileAdd(await openContext(), command);
    case 'profile-list': return (await import('./commands/profile.ts')).profileList(await openContext(), command);
    case 'profile-remove': return (await import('./commands/profile.ts')).profileRemove(await openContext(), command);
    case 'login': return (await import('./commands/login.ts')).login(await openContext(), command);
    case 'sessions': return (await import('./commands/sessions.ts')).sessions(await openContext(), command);
    case 'token': return (await import('./commands/token.ts')).token(await openContext(), command);
    case 'inspect': return (await import('./commands/inspect.ts')).inspect(await openContext(), command);
    case 'refresh': return (await import('./commands/refresh.ts')).refresh(await openContext(), command);
    case 'userinfo': return (await import('./commands/userinfo.ts')).userinfo(await openContext(), command);
    case 'logout': return (await import('./commands/logout.ts')).logout(await openContext(), command);
    case 'demo-idp': return (await import('./commands/demo-idp.ts')).demoIdp(await openContext(), command);
    case 'quickstart': return (await import('./commands/quickstart.ts')).quickstart(await openContext(), command);
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
  let ctx: CliContext | undefined;
  const openContext = async (): Promise<CliContext> => {
    if (ctx === undefined) {
      const { createContext } = await import('./context.ts');
      const flowTtlMs = timeoutSeconds === undefined ? undefined : (await import('./commands/login.ts')).flowTtlFor(timeoutSeconds);
      ctx = createContext({ dataDir: parsed.dataDir, env, out, flowTtlMs });
    }
    return ctx;
  };
  let exitCode: ExitCode;
  try {
    exitCode = await dispatch(command, out, openContext);
  } catch (error) {
    out.error(error);
    exitCode = exitCodeFor(error);
  } finally {
    // The command has ended, and with it any sign-in: its redirect file has served. Only a sign-in opens
    // a browser, so only then is the browser module (and node:child_process) loaded to clean up.
    if (OPENS_A_BROWSER.has(command.kind)) (await import('./browser.ts')).removeRedirectFiles();
  }
  await out.flush();
  return { exitCode, keychainStuck: ctx?.keychainStuck === true };
}
