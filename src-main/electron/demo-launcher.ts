/**
 * The desktop app's launcher of the demo provider: its bundled entry (dist/electron/demo-idp.js, inside the
 * asar) in an Electron utility process. That needs neither the RunAsNode fuse (off in the installers) nor
 * the CLI (not packaged). A utility process is the app's child: it ends when the app quits, and the next
 * start (the app's or the CLI's) starts the demo provider again on its recorded issuer.
 * @module
 */
import type { ForkOptions } from 'electron';
import type { DemoChild, DemoForkLauncher } from '../demo-idp/launch.ts';

/** The name the utility process has in Electron's process metrics and `child-process-gone` events. */
export const DEMO_SERVICE_NAME = 'OIDC Desk demo provider';

/** A `UtilityProcess`, as much of it as the launcher uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** Electron's `utilityProcess`, as much of it as the launcher uses. */
export interface UtilityProcessFork {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityChild;
}

/** A {@link DemoForkLauncher} that also stops, when the app quits, the providers it started. */
export interface UtilityDemoLauncher extends DemoForkLauncher {
  /** Asks every demo provider this launcher started and that still runs to stop (it records a clean stop). */
  stopAll(): void;
}

/**
 * Forks `entry` (the bundled demo provider) as a utility process with the arguments and environment
 * `ensureDemoProvider` gives, its output piped (a utility process takes no file descriptor for it).
 * @see https://www.electronjs.org/docs/latest/api/utility-process
 */
export function utilityDemoLauncher(utilityProcess: UtilityProcessFork, entry: string): UtilityDemoLauncher {
  const running = new Set<DemoChild>();
  return {
    fork(args, options) {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.env)) if (value !== undefined) env[name] = value;
      const utility = utilityProcess.fork(entry, [...args], { env, cwd: options.cwd, stdio: 'pipe', serviceName: DEMO_SERVICE_NAME });
      const child: DemoChild = {
        get pid() {
          return utility.pid;
        },
        stdout: utility.stdout,
        stderr: utility.stderr,
        onExit: (listener) => {
          utility.once('exit', (code: number) => listener(`exit ${code}`));
        },
        kill: () => {
          utility.kill();
        },
      };
      running.add(child);
      utility.once('exit', () => running.delete(child));
      return child;
    },
    stopAll() {
      for (const child of running) child.kill();
    },
  };
}
