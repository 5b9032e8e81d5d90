/** How a front starts the demo provider in the background: a detached command (the CLI) or a child process it forks and supervises (the desktop app's utility process), its output appended to `demo-idp/provider.log`. */
import { fileURLToPath } from 'node:url';
import { openDataFileForAppend } from '../core/store/data-dir.ts';

/** A program and its arguments before `--data-dir <dir> demo-idp`, started detached (the CLI's way). */
export interface DemoSpawnCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** What a {@link DemoForkLauncher} is handed besides the entry's arguments. */
export interface DemoForkOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A demo provider process started by a {@link DemoForkLauncher}; nobody needs to hold it for it to run. */
export interface DemoChild {
  /** Its process id; undefined until it has started (Electron reports it once spawned) and after it ended. */
  readonly pid: number | undefined;
  /** Its output, appended to the provider's log; null when not piped. */
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** Calls `listener` once when the process has ended, with what ended it (`exit 1`). */
  onExit(listener: (reason: string) => void): void;
  /** Asks it to stop (SIGTERM on POSIX): it records a clean stop. */
  kill(): void;
}

/**
 * Starts the demo provider's own entry (src-main/demo-idp/entry.ts, bundled as dist/electron/demo-idp.js)
 * with `args` (`--data-dir <dir>`) as a child of the caller, which ends with it (the desktop app's way).
 */
export interface DemoForkLauncher {
  fork(args: readonly string[], options: DemoForkOptions): DemoChild;
}

/** How {@link launchDemoProvider} starts the background provider. */
export type DemoLaunchCommand = DemoSpawnCommand | DemoForkLauncher;

/**
 * The CLI launcher, run with this Node: `node bin/oidc-desk.cjs --data-dir <dir> demo-idp`. The path holds
 * from the source (src-main/demo-idp/) and from the built CLI (dist/cli/): both two levels below the root.
 */
export function defaultLaunchCommand(): DemoSpawnCommand {
  return { file: process.execPath, args: [fileURLToPath(new URL('../../bin/oidc-desk.cjs', import.meta.url))] };
}

/** A started background provider, as the start-up wait sees it. */
export interface LaunchedDemo {
  /** Its process id (undefined while a forked child has not started yet). */
  pid(): number | undefined;
  /** What ended it, or undefined while it runs. */
  exited(): string | undefined;
  /** Resolves once its output received so far is in the log (the log tail then explains a failed start). */
  logged(): Promise<void>;
  /** Asks it to stop. */
  stop(): void;
}

/** Where and how {@link launchDemoProvider} starts the provider of a data directory. */
export interface LaunchOptions {
  readonly dataDir: string;
  /** The demo provider's directory: the working directory of the process. */
  readonly cwd: string;
  readonly logPath: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Starts the demo provider of `options.dataDir` in the background with `command`. */
export async function launchDemoProvider(command: DemoLaunchCommand, options: LaunchOptions): Promise<LaunchedDemo> {
  return 'fork' in command ? forkDemoProvider(command, options) : spawnDemoProvider(command, options);
}

/** `<file> <args> --data-dir <dir> demo-idp`, detached, its output written straight into the log. */
async function spawnDemoProvider(command: DemoSpawnCommand, options: LaunchOptions): Promise<LaunchedDemo> {
  // Loaded here only: the commands that import this module mostly never start a process.
  const { spawn } = await import('node:child_process');
  const log = await openDataFileForAppend(options.logPath);
  let child;
  try {
    child = spawn(command.file, [...command.args, '--data-dir', options.dataDir, 'demo-idp'], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: options.env,
      cwd: options.cwd,
      windowsHide: true,
    });
  } finally {
    await log.close();
  }
  const pid = child.pid;
  let exited: string | undefined;
  child.once('error', (error) => {
    exited = error.message;
  });
  child.once('exit', (code, signal) => {
    exited = `exit ${code ?? signal ?? '?'}`;
  });
  child.unref();
  return {
    pid: () => pid,
    exited: () => exited,
    logged: () => Promise.resolve(),
    stop: () => {
      if (pid === undefined) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/**
 * `fork(['--data-dir', <dir>])`, its piped output appended to the log (an Electron utility process takes
 * no file descriptor for its stdio) until it ends.
 */
async function forkDemoProvider(launcher: DemoForkLauncher, options: LaunchOptions): Promise<LaunchedDemo> {
  const log = await openDataFileForAppend(options.logPath);
  let child: DemoChild;
  try {
    child = launcher.fork(['--data-dir', options.dataDir], { env: options.env, cwd: options.cwd });
  } catch (error) {
    await log.close();
    throw error;
  }
  const out = log.createWriteStream();
  // A log that cannot be written must not take the app down with it.
  out.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  const streams = [child.stdout, child.stderr].filter((s) => s !== null);
  for (const stream of streams) stream.pipe(out, { end: false });
  let exited: string | undefined;
  child.onExit((reason) => {
    exited = reason;
    // Electron drops the streams' listeners after 'exit': what has not arrived by now is not logged.
    for (const stream of streams) stream.unpipe(out);
    out.end();
  });
  return {
    pid: () => child.pid,
    exited: () => exited,
    logged: () => (exited === undefined ? Promise.resolve() : closed),
    stop: () => child.kill(),
  };
}
