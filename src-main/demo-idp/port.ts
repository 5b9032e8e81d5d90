/** The demo provider as a front hands it to `openDesk()`: its state, and a start on demand in the background (the CLI and the desktop app both use it). */
import type { DemoProviderView } from '../core/contract.ts';
import type { DemoProviderPort } from '../core/api/desk-api.ts';
import { demoProfileInput, ensureDemoProvider, readDemoState, runningDemoProvider, type DemoLaunchCommand } from './persistent.ts';

/**
 * The demo provider of a data directory for the API: its state (running and answering as this data
 * directory's, or as last recorded), and a start on demand in the background, with `command` when the
 * front starts it another way than the CLI's default (the desktop app).
 */
export function demoProviderPort(dataDir: string, env: NodeJS.ProcessEnv = process.env, command?: DemoLaunchCommand): DemoProviderPort {
  return {
    async state(): Promise<DemoProviderView> {
      const running = await runningDemoProvider(dataDir);
      if (running !== undefined) return { running: true, issuer: running.issuer, pid: running.pid };
      return { running: false, issuer: (await readDemoState(dataDir))?.issuer ?? null, pid: null };
    },
    async ensure() {
      const demo = await ensureDemoProvider({ dataDir, env, ...(command === undefined ? {} : { command }) });
      return { provider: { running: true, issuer: demo.issuer, pid: demo.pid }, profile: demoProfileInput(demo.issuer) };
    },
  };
}
