/** The demo provider as the CLI uses it: `login demo` keeps the ready-made "demo" profile pointed at a running demo provider, and tokens of a demo session go only to the demo provider that issued it (started again when needed). */
import type { ProfileInput, ProfileView } from '../core/contract.ts';
import { createDemoGuard, type DemoGuard } from '../demo-idp/guard.ts';
import { DEMO_PROFILE_NAME, demoProfileInput, ensureDemoProvider, isManagedDemoProfile } from '../demo-idp/persistent.ts';
import { demoProviderPort } from '../demo-idp/port.ts';
import type { CliContext } from './context.ts';

export { demoProviderPort };

/**
 * The profile `login demo` uses: the ready-made one, created or re-pointed at the demo provider of the
 * data directory (started in the background when it does not answer). A "demo" profile the user made
 * for another provider is returned untouched.
 */
export async function prepareDemoProfile(ctx: CliContext): Promise<ProfileView> {
  const api = await ctx.api();
  const existing = (await ctx.call(api.listProfiles())).find((p) => p.name === DEMO_PROFILE_NAME);
  if (existing !== undefined && !isManagedDemoProfile(existing)) return existing;
  const demo = await ensureDemoProvider({ dataDir: ctx.dataDir, env: ctx.env, onProgress: (t) => ctx.out.info(t) });
  if (demo.started) ctx.out.info(startedText(demo));
  if (existing?.issuer === demo.issuer) return existing;
  const input: ProfileInput = demoProfileInput(demo.issuer);
  const profile = await ctx.call(existing === undefined ? api.addProfile({ profile: input }) : api.updateProfile({ name: DEMO_PROFILE_NAME, profile: input }));
  ctx.out.info(`${existing === undefined ? 'Created' : 'Updated'} the "demo" profile for ${demo.issuer}.`);
  return profile;
}

/**
 * The guard of this data directory's demo provider for the CLI's `openDesk()`: before anything carrying a
 * token goes to a demo issuer (and before the core asks it for metadata), the demo provider there must prove
 * it is this data directory's own; it is started in the background on its recorded port when nothing
 * answers. A token answered from the cache sends nothing, so it needs none of this.
 */
export function cliDemoGuard(ctx: Pick<CliContext, 'dataDir' | 'env' | 'out'>): DemoGuard {
  return createDemoGuard({
    dataDir: ctx.dataDir,
    env: ctx.env,
    onProgress: (t) => ctx.out.info(t),
    onStarted: (demo) => ctx.out.info(startedText(demo)),
  });
}

function startedText(demo: { readonly issuer: string; readonly pid: number }): string {
  return `Demo provider running at ${demo.issuer} (pid ${demo.pid}); stop it with "oidc-desk demo-idp --stop".`;
}
