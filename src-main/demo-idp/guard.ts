/**
 * What may be sent to the demo provider's issuers: the rule that tells a demo session from a profile of the
 * user's own, and a guard for `openDesk()` (its `beforeSend` hook and a transport) that makes the demo
 * provider prove it is this data directory's own, starting it when nothing answers, before anything goes there.
 */
import { DeskError, isDeskError } from '../core/errors.ts';
import type { FetchLike } from '../core/http/client.ts';
import { DEMO_CLIENT_ID } from './demo-data.ts';
import {
  demoPortTaken, ensureDemoProvider, hasDemoKeys, isOwnDemoProvider, readDemoState, type DemoLaunchCommand, type DemoState,
} from './persistent.ts';

/** Where a token (or any request) is about to go. */
export interface SendTarget {
  readonly issuer: string;
  /** The client; unknown to the transport, which sees URLs only. */
  readonly clientId?: string;
}

/**
 * A target of the demo provider of this data directory: its recorded issuer (`current`), an issuer it had
 * before `demo-idp --port` moved it (`former`), or, when `state.json` is missing or damaged, any demo
 * client target on 127.0.0.1 (`unrecorded`: which issuers were the demo provider's is not known any more).
 */
export type DemoTarget =
  | { readonly kind: 'current'; readonly state: DemoState }
  | { readonly kind: 'former'; readonly state: DemoState }
  | { readonly kind: 'unrecorded' };

const LOOPBACK_HTTP_ISSUER = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;

/**
 * The rule (documented in the README, "The embedded demo provider"): a target is the demo provider's when
 * its issuer is `http://127.0.0.1:<port>` and this data directory has demo keys (`demo-idp/jwks.json`: a
 * demo provider ran here), and
 * - the issuer is the one `demo-idp/state.json` records, or one it recorded before (`previousIssuers`),
 *   whatever the client; or
 * - `state.json` is missing or damaged and the client is the demo client `oidc-desk` (the transport, which
 *   does not know the client, lets such a target through: the `beforeSend` check that follows has it).
 * Profile names decide nothing: a profile of the user's own on another local provider that uses the client
 * id `oidc-desk` is not a demo target, whatever it is called.
 * @throws DeskError DATA_DIR_INSECURE when the demo provider's files are not safe to read.
 */
export async function demoTargetOf(dataDir: string, target: SendTarget): Promise<DemoTarget | undefined> {
  if (!LOOPBACK_HTTP_ISSUER.test(target.issuer) || !(await hasDemoKeys(dataDir))) return undefined;
  const state = await readDemoState(dataDir);
  if (state !== undefined) return recordedTarget(state, target.issuer);
  return target.clientId === DEMO_CLIENT_ID ? { kind: 'unrecorded' } : undefined;
}

function recordedTarget(state: DemoState, issuer: string): DemoTarget | undefined {
  if (issuer === state.issuer) return { kind: 'current', state };
  if (state.previousIssuers.includes(issuer)) return { kind: 'former', state };
  return undefined;
}

/** SIGN_IN_NEEDED for a session of an issuer the demo provider had before it moved: nothing is sent there. */
export function demoMoved(issuer: string, state: Pick<DemoState, 'issuer'>): DeskError {
  return new DeskError('SIGN_IN_NEEDED', `Nothing was sent to ${issuer}: this data directory's demo provider moved from there to ${state.issuer} ("oidc-desk demo-idp --port"), `
    + 'and a demo session is refreshed only by the provider that issued it. '
    + 'Sign in again with "oidc-desk login demo"; remove the old session with "oidc-desk logout <session> --no-revoke" ("oidc-desk sessions" lists them).');
}

/** SIGN_IN_NEEDED for a demo client target when `state.json` is gone and the provider there does not prove to be the demo provider. */
export function demoUnrecorded(issuer: string): DeskError {
  return new DeskError('SIGN_IN_NEEDED', `Nothing was sent to ${issuer}: this data directory's demo provider has no issuer recorded (demo-idp/state.json is missing or damaged) `
    + `and the provider there does not prove to be it, so a session of the demo client "${DEMO_CLIENT_ID}" is not used with it. `
    + 'Sign in again with "oidc-desk login demo" (it records the demo provider\'s issuer again); remove the old session with "oidc-desk logout <session> --no-revoke" ("oidc-desk sessions" lists them).');
}

/** Options of {@link createDemoGuard}. */
export interface DemoGuardOptions {
  readonly dataDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The transport the guard's `fetch` hands requests on to (default: the global fetch). */
  readonly transport?: FetchLike;
  /** How to start the background provider (see {@link ensureDemoProvider}). */
  readonly command?: DemoLaunchCommand;
  /** Progress for the user ("Starting the demo provider..."). */
  readonly onProgress?: (text: string) => void;
  /** Called when the guard started the demo provider in the background. */
  readonly onStarted?: (provider: { readonly issuer: string; readonly pid: number }) => void;
}

/** The guard's two parts, for `openDesk({ fetch, beforeSend })`. */
export interface DemoGuard {
  /**
   * `beforeSend`: before a request carrying a token goes to a demo target, a fresh proof that the demo
   * provider of this data directory is there (started on its recorded port when nothing answers). Throws,
   * with nothing sent: DEMO_PORT_TAKEN (another program holds the recorded port), SIGN_IN_NEEDED (a former
   * issuer, or no recorded issuer and no proof).
   */
  beforeSend(target: SendTarget): Promise<void>;
  /**
   * The transport: a request to the recorded issuer waits for the same proof (one made in the last
   * {@link PROOF_REUSE_MS} serves), a request to a former issuer is refused before it is made, and so is any
   * request to an issuer `beforeSend` refused, until a new proof passes. The core asks for metadata before it
   * calls `beforeSend`, and may send a second token of one operation without calling it again; this keeps
   * both from a program that is not the demo provider, and lets a stopped demo provider be started first.
   */
  readonly fetch: FetchLike;
}

/** How long a proof serves the transport (several requests of one operation); `beforeSend` always asks anew. */
export const PROOF_REUSE_MS = 10_000;

/** Builds the guard of a data directory's demo provider. */
export function createDemoGuard(options: DemoGuardOptions): DemoGuard {
  const transport: FetchLike = options.transport ?? ((input, init) => fetch(input, init as RequestInit));
  const provenAt = new Map<string, number>();

  const assertOwn = async (issuer: string, target: DemoTarget): Promise<void> => {
    if (target.kind === 'former') throw demoMoved(issuer, target.state);
    if (await isOwnDemoProvider(options.dataDir, issuer)) {
      provenAt.set(issuer, Date.now());
      return;
    }
    if (target.kind === 'unrecorded') throw demoUnrecorded(issuer);
    let demo;
    try {
      demo = await ensureDemoProvider({
        dataDir: options.dataDir,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.command === undefined ? {} : { command: options.command }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } catch (error) {
      throw isDeskError(error, 'DEMO_PORT_TAKEN') ? demoPortTaken(target.state, 'use') : error;
    }
    if (demo.started) options.onStarted?.({ issuer: demo.issuer, pid: demo.pid });
    // The state changed meanwhile (another process moved the demo provider): this issuer is a former one now.
    if (demo.issuer !== issuer) throw demoMoved(issuer, { issuer: demo.issuer });
    provenAt.set(issuer, Date.now());
  };

  // Issuers `beforeSend` refused: this process sends nothing more there until one proves to be the demo provider
  // (the core may go on with a second token of the same operation without asking again).
  const refused = new Map<string, DemoTarget>();

  return {
    beforeSend: async (target) => {
      const demo = await demoTargetOf(options.dataDir, target);
      if (demo === undefined) return;
      try {
        await assertOwn(target.issuer, demo);
        refused.delete(target.issuer);
      } catch (error) {
        refused.set(target.issuer, demo);
        throw error;
      }
    },
    fetch: async (input, init) => {
      const origin = loopbackOrigin(input);
      if (origin !== undefined) {
        const proven = provenAt.get(origin);
        const demo = refused.get(origin) ?? (proven !== undefined && Date.now() - proven <= PROOF_REUSE_MS ? undefined : await demoTargetOf(options.dataDir, { issuer: origin }));
        if (demo !== undefined) {
          await assertOwn(origin, demo);
          refused.delete(origin);
        }
      }
      return transport(input, init);
    },
  };
}

/** `http://127.0.0.1:<port>` of a request URL, or undefined for any other origin (never a demo provider's). */
function loopbackOrigin(input: string | URL): string | undefined {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  // The URL parser drops port 80; an issuer always names its port.
  return url.protocol === 'http:' && url.hostname === '127.0.0.1' ? `http://127.0.0.1:${url.port === '' ? '80' : url.port}` : undefined;
}
