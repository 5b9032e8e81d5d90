/** The demo provider as the CLI uses it: `login demo` keeps the ready-made "demo" profile pointed at a running demo provider, and demo sessions start it again on use. */
import type { SessionView } from '../core/contract.ts';
import { isDeskError } from '../core/errors.ts';
import type { Profile } from '../core/profile.ts';
import {
  DEMO_PROFILE_NAME, demoProfileInput, ensureDemoProvider, isManagedDemoProfile, readDemoState,
} from '../demo-idp/persistent.ts';
import type { CliContext } from './context.ts';

/**
 * The profile `login demo` uses: the ready-made one, created or re-pointed at the demo provider of the
 * data directory (started in the background when it does not answer). A "demo" profile the user made
 * for another provider is returned untouched.
 */
export async function prepareDemoProfile(ctx: CliContext): Promise<Profile> {
  const service = await ctx.service();
  let existing: Profile | undefined;
  try {
    existing = await service.profiles.get(DEMO_PROFILE_NAME);
  } catch (error) {
    if (!isDeskError(error, 'PROFILE_NOT_FOUND')) throw error;
  }
  if (existing !== undefined && !isManagedDemoProfile(existing)) return existing;
  const demo = await ensureDemoProvider({ dataDir: ctx.dataDir, env: ctx.env, onProgress: (t) => ctx.out.info(t) });
  if (demo.started) ctx.out.info(`Demo provider running at ${demo.issuer} (pid ${demo.pid}); stop it with "oidc-desk demo-idp --stop".`);
  if (existing?.issuer === demo.issuer) return existing;
  const profile = await service.profiles.add(demoProfileInput(demo.issuer), { replace: true });
  ctx.out.info(`${existing === undefined ? 'Created' : 'Updated'} the "demo" profile for ${demo.issuer}.`);
  return profile;
}

/**
 * Before a command uses a session of the ready-made demo profile whose issuer is the demo provider's
 * recorded one, makes sure that provider runs (its keys and grants persist, so the session works on).
 */
export async function ensureDemoForSession(ctx: CliContext, view: SessionView): Promise<void> {
  if (view.profile !== DEMO_PROFILE_NAME) return;
  const state = await readDemoState(ctx.dataDir);
  if (state === undefined || state.issuer !== view.issuer) return;
  const demo = await ensureDemoProvider({ dataDir: ctx.dataDir, env: ctx.env, onProgress: (t) => ctx.out.info(t) });
  if (demo.started) ctx.out.info(`Demo provider running at ${demo.issuer} (pid ${demo.pid}); stop it with "oidc-desk demo-idp --stop".`);
}
