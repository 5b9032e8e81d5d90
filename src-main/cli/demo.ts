/** The demo provider as the CLI uses it: `login demo` keeps the ready-made "demo" profile pointed at a running demo provider, and a demo session is used only with the demo provider that issued it (started again when needed). */
import type { DemoProviderView, ProfileInput, ProfileView, SessionView } from '../core/contract.ts';
import { DeskError, isDeskError } from '../core/errors.ts';
import type { DemoProviderPort } from '../core/api/desk-api.ts';
import {
  DEMO_PROFILE_NAME, demoPortTaken, demoProfileInput, ensureDemoProvider, hasDemoKeys, isManagedDemoProfile, isOwnDemoProvider, readDemoState, runningDemoProvider,
} from '../demo-idp/persistent.ts';
import type { CliContext } from './context.ts';

/** The demo provider for the API: its state (running and answering as this data directory's, or as last recorded), and a start on demand in the background. */
export function demoProviderPort(dataDir: string, env: NodeJS.ProcessEnv = process.env): DemoProviderPort {
  return {
    async state(): Promise<DemoProviderView> {
      const running = await runningDemoProvider(dataDir);
      if (running !== undefined) return { running: true, issuer: running.issuer, pid: running.pid };
      return { running: false, issuer: (await readDemoState(dataDir))?.issuer ?? null, pid: null };
    },
    async ensure() {
      const demo = await ensureDemoProvider({ dataDir, env });
      return { provider: { running: true, issuer: demo.issuer, pid: demo.pid }, profile: demoProfileInput(demo.issuer) };
    },
  };
}

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
  if (demo.started) ctx.out.info(`Demo provider running at ${demo.issuer} (pid ${demo.pid}); stop it with "oidc-desk demo-idp --stop".`);
  if (existing?.issuer === demo.issuer) return existing;
  const input: ProfileInput = demoProfileInput(demo.issuer);
  const profile = await ctx.call(existing === undefined ? api.addProfile({ profile: input }) : api.updateProfile({ name: DEMO_PROFILE_NAME, profile: input }));
  ctx.out.info(`${existing === undefined ? 'Created' : 'Updated'} the "demo" profile for ${demo.issuer}.`);
  return profile;
}

/**
 * Before a command uses a session of the ready-made demo profile (it would send the session's tokens to
 * its issuer): makes sure the demo provider of this data directory answers at that issuer, starting it on
 * its recorded port when needed. Fails, with nothing sent anywhere, when another program holds that port
 * (DEMO_PORT_TAKEN) or when the demo provider has moved to another issuer since (SIGN_IN_NEEDED).
 */
export async function ensureDemoForSession(ctx: CliContext, view: SessionView): Promise<void> {
  if (!isManagedDemoProfile({ name: view.profile, clientId: view.clientId, issuer: view.issuer })) return;
  // No demo provider ever ran for this data directory: a "demo" profile of the user's own.
  if (!(await hasDemoKeys(ctx.dataDir))) return;
  const state = await readDemoState(ctx.dataDir);
  if (state !== undefined && state.issuer === view.issuer) {
    let demo;
    try {
      demo = await ensureDemoProvider({ dataDir: ctx.dataDir, env: ctx.env, onProgress: (t) => ctx.out.info(t) });
    } catch (error) {
      throw isDeskError(error, 'DEMO_PORT_TAKEN') ? demoPortTaken(state, 'use') : error;
    }
    if (demo.started) ctx.out.info(`Demo provider running at ${demo.issuer} (pid ${demo.pid}); stop it with "oidc-desk demo-idp --stop".`);
    if (demo.issuer === view.issuer) return;
  }
  if (await isOwnDemoProvider(ctx.dataDir, view.issuer)) return;
  if (state !== undefined && state.issuer === view.issuer) throw demoPortTaken(state, 'use');
  throw new DeskError('SIGN_IN_NEEDED', `This demo session was issued by the demo provider at ${view.issuer}, but the demo provider of this data directory ${state === undefined ? 'has no issuer recorded' : `has moved to ${state.issuer}`}. `
    + 'A demo session is refreshed only by the provider that issued it, so nothing was sent. '
    + `Sign in again with "oidc-desk login demo", and remove this session with "oidc-desk logout ${view.id} --no-revoke".`);
}
