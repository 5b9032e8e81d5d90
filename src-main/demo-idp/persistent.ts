/** The demo provider for first runs, kept in `<dataDir>/demo-idp/`: persistent signing keys and store, one recorded issuer and port it keeps, and start / ensure / stop functions any front can call. */
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeskError, isDeskError } from '../core/errors.ts';
import type { ProfileInput } from '../core/contract.ts';
import type { Profile } from '../core/profile.ts';
import { ensurePrivateDir, readDataFile, setDataFileAside } from '../core/store/data-dir.ts';
import { isProcessAlive, withFileLock } from '../core/store/file-lock.ts';
import { writeJsonFileAtomic } from '../core/store/json-file.ts';
import { DEMO_CLIENT_ID, DEMO_USERS } from './demo-data.ts';
import { FileAdapterStore } from './file-adapter.ts';
import { defaultLaunchCommand, launchDemoProvider, type DemoLaunchCommand } from './launch.ts';
import { proveDemoProvider } from './proof.ts';
import type { PrivateJwks } from './provider.ts';
import type { RunningDemoProvider } from './server.ts';

/** The demo provider's preferred port when it has none recorded. */
export const DEFAULT_DEMO_PORT = 9400;
/** Environment variable overriding {@link DEFAULT_DEMO_PORT} (0 = any free port). */
export const DEMO_PORT_ENV = 'OIDC_DESK_DEMO_IDP_PORT';
/** The name of the ready-made profile pointing at the demo provider. */
export const DEMO_PROFILE_NAME = 'demo';
/** Scopes of the demo profile: a refresh token needs offline_access (and prompt=consent at oidc-provider). */
export const DEMO_SCOPES = 'openid profile email offline_access';
/** The demo users, for help texts and docs. */
export const DEMO_ACCOUNTS: readonly { readonly username: string; readonly password: string }[] = DEMO_USERS.map((u) => ({ username: u.username, password: u.password }));

const STATE_VERSION = 1;
/** Size caps of the demo provider's small files (they hold a few hundred bytes to a few kilobytes). */
const MAX_STATE_BYTES = 64 * 1024;
const MAX_JWKS_BYTES = 1024 * 1024;

/** The files of the demo provider in a data directory. */
export function demoPaths(dataDir: string): { dir: string; jwks: string; store: string; state: string; log: string; lock: string } {
  const dir = join(dataDir, 'demo-idp');
  return {
    dir,
    jwks: join(dir, 'jwks.json'),
    store: join(dir, 'store.json'),
    state: join(dir, 'state.json'),
    log: join(dir, 'provider.log'),
    lock: join(dir, 'ensure.lock'),
  };
}

/** What `state.json` records: the last issuer and port, the issuers it had before, and the pid while it runs. */
export interface DemoState {
  readonly issuer: string;
  readonly port: number;
  /** The provider's process while it runs; null after a clean stop. */
  readonly pid: number | null;
  readonly startedAt: number;
  /**
   * Issuers the demo provider had before `--port` moved it, newest first (at most {@link MAX_PREVIOUS_ISSUERS}):
   * their sessions are demo sessions still, and nothing may be sent there any more.
   */
  readonly previousIssuers: readonly string[];
}

/** How many former issuers `state.json` keeps. */
export const MAX_PREVIOUS_ISSUERS = 20;
const DEMO_ISSUER = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseState(value: unknown): DemoState | undefined {
  if (!isRecord(value) || value['schemaVersion'] !== STATE_VERSION) return undefined;
  const { issuer, port, pid, startedAt, previousIssuers } = value;
  if (typeof issuer !== 'string' || !DEMO_ISSUER.test(issuer)) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  if (pid !== null && (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0)) return undefined;
  if (typeof startedAt !== 'number') return undefined;
  // Absent in files written before it was kept.
  if (previousIssuers !== undefined && (!Array.isArray(previousIssuers) || !previousIssuers.every((i) => typeof i === 'string' && DEMO_ISSUER.test(i)))) return undefined;
  return { issuer, port, pid, startedAt, previousIssuers: (previousIssuers ?? []).slice(0, MAX_PREVIOUS_ISSUERS) };
}

/**
 * The recorded state, or undefined when there is none (or it is damaged).
 * @throws DeskError DATA_DIR_INSECURE when state.json is a link, another user's, or writable by others.
 */
export async function readDemoState(dataDir: string): Promise<DemoState | undefined> {
  try {
    const bytes = await readDataFile(demoPaths(dataDir).state, { maxBytes: MAX_STATE_BYTES });
    return bytes === undefined ? undefined : parseState(JSON.parse(bytes.toString('utf8')));
  } catch (error) {
    if (isDeskError(error, 'DATA_DIR_INSECURE')) throw error;
    return undefined;
  }
}

async function writeDemoState(dataDir: string, state: DemoState): Promise<void> {
  await writeJsonFileAtomic(demoPaths(dataDir).state, { schemaVersion: STATE_VERSION, ...state });
}

function isPrivateJwks(value: unknown): value is PrivateJwks {
  return isRecord(value) && Array.isArray(value['keys']) && value['keys'].length > 0
    && value['keys'].every((k) => isRecord(k) && typeof k['kty'] === 'string' && typeof k['d'] === 'string' && typeof k['kid'] === 'string');
}

/** The private keys in `jwks.json`, undefined when missing or damaged (a secret file: 0600, no link). */
async function readDemoJwks(dataDir: string): Promise<{ jwks: PrivateJwks | undefined; present: boolean }> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readDataFile(demoPaths(dataDir).jwks, { maxBytes: MAX_JWKS_BYTES, secret: true });
  } catch (error) {
    if (isDeskError(error, 'DATA_FILE_TOO_LARGE')) return { jwks: undefined, present: true };
    throw error;
  }
  if (bytes === undefined) return { jwks: undefined, present: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return { jwks: isPrivateJwks(parsed) ? parsed : undefined, present: true };
}

/** The signing keys of the demo provider: read from `jwks.json` (0600), generated on first use. */
export async function loadOrCreateDemoJwks(dataDir: string): Promise<PrivateJwks> {
  const path = demoPaths(dataDir).jwks;
  const read = await readDemoJwks(dataDir);
  if (read.jwks !== undefined) return read.jwks;
  if (read.present) {
    await setDataFileAside(path, Date.now);
    process.stderr.write(`demo-idp: jwks.json was not a private JWK Set; kept aside, new keys generated (sessions refresh onto them)\n`);
  }
  // The provider's module (jose, and oidc-provider behind it) loads only when a provider is made.
  const { generateDemoJwks } = await import('./provider.ts');
  const jwks = await generateDemoJwks();
  await writeJsonFileAtomic(path, jwks);
  return jwks;
}

/** The ready-made "demo" profile for an issuer of the demo provider (loopback redirect, refresh tokens). */
export function demoProfileInput(issuer: string): ProfileInput {
  return {
    name: DEMO_PROFILE_NAME,
    issuer,
    clientId: DEMO_CLIENT_ID,
    scopes: DEMO_SCOPES,
    redirect: 'loopback',
    allowHttpLoopback: true,
    extraParams: { prompt: 'consent' },
  };
}

/**
 * True when a profile named "demo" is the ready-made one (client `oidc-desk` on a 127.0.0.1 http issuer),
 * which `login demo` may re-point at the running demo provider; a "demo" profile of the user's own is left alone.
 */
export function isManagedDemoProfile(profile: Pick<Profile, 'name' | 'clientId' | 'issuer'>): boolean {
  return profile.name === DEMO_PROFILE_NAME && profile.clientId === DEMO_CLIENT_ID && DEMO_ISSUER.test(profile.issuer);
}

/**
 * True when `issuer` answers as the demo provider of this data directory: it signs a fresh nonce, naming
 * exactly `issuer`, with a private key of `jwks.json` (see proof.ts). What it publishes (metadata, JWKS) is
 * not looked at: anyone can copy it. One GET of the challenge is sent, nothing else.
 * @throws DeskError DATA_DIR_INSECURE when jwks.json is not safe to read.
 */
export async function isOwnDemoProvider(dataDir: string, issuer: string, timeoutMs = 2000): Promise<boolean> {
  const own = (await readDemoJwks(dataDir)).jwks;
  if (own === undefined) return false;
  return proveDemoProvider({ issuer, keys: own, timeoutMs });
}

/** True when a demo provider ever ran for this data directory (it has signing keys). */
export async function hasDemoKeys(dataDir: string): Promise<boolean> {
  return (await readDemoJwks(dataDir)).present;
}

/**
 * DEMO_PORT_TAKEN for the recorded issuer: which port, that another program holds it, how to free it,
 * and that `demo-idp --port` moves the demo provider to a new issuer whose old sessions need a new sign-in.
 * `context` is `use` when a command was about to use a demo session (then it says that nothing was sent).
 */
export function demoPortTaken(state: Pick<DemoState, 'issuer' | 'port'>, context: 'start' | 'use'): DeskError {
  const what = context === 'use'
    ? 'held by another program that does not answer as this demo provider; no token was sent to it'
    : 'held by another program, so the demo provider cannot start there (it keeps its issuer: demo sessions are refreshed only by the provider that issued them)';
  return new DeskError('DEMO_PORT_TAKEN', `Port ${state.port} on 127.0.0.1, the issuer of this data directory's demo provider (${state.issuer}), is ${what}. `
    + `Free the port (find the program with "lsof -i :${state.port}" or "ss -ltnp"), or move the demo provider to a new issuer with "oidc-desk demo-idp --port <n>" (0 = any free port); `
    + 'demo sessions of the old issuer then need a new sign-in ("oidc-desk login demo").');
}

/** True when nothing listens on 127.0.0.1:`port` (bound for a moment, then released). */
async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

/** The state of the demo provider running for this data directory (alive and answering as its own), or undefined. */
export async function runningDemoProvider(dataDir: string): Promise<DemoState | undefined> {
  const state = await readDemoState(dataDir);
  if (state === undefined || state.pid === null || !isProcessAlive(state.pid)) return undefined;
  return (await isOwnDemoProvider(dataDir, state.issuer)) ? state : undefined;
}

/** A demo provider started in this process. */
export interface PersistentDemoProvider {
  readonly issuer: string;
  readonly port: number;
  /** The issuer recorded before, when `port` moved the demo provider to a new one (its sessions need a new sign-in). */
  readonly previousIssuer: string | undefined;
  /** Stops listening, flushes the store and records the stop. Idempotent. */
  close(): Promise<void>;
}

/** Ports to try when no issuer is recorded yet: 9400 ({@link DEMO_PORT_ENV}), else any free port. */
function firstRunPorts(env: NodeJS.ProcessEnv): number[] {
  const raw = env[DEMO_PORT_ENV];
  const fromEnv = raw !== undefined && /^\d{1,5}$/.test(raw) && Number(raw) <= 65_535 ? Number(raw) : undefined;
  return [...new Set([fromEnv ?? DEFAULT_DEMO_PORT, 0])];
}

/**
 * Starts the demo provider in this process with the data directory's keys and store, and records its
 * issuer, port and pid in `state.json`. Once an issuer is recorded, it starts on that port or fails
 * DEMO_PORT_TAKEN (never on another port: the demo sessions point at that issuer, and whatever listens
 * there would receive their refresh tokens). The first time, it takes 9400 ({@link DEMO_PORT_ENV}), else
 * any free port. With `port` it takes exactly that one (0 = any free port), which moves the demo provider
 * to a new issuer, and fails `LOOPBACK_LISTEN_FAILED` when busy.
 */
export async function startPersistentDemoProvider(options: { readonly dataDir: string; readonly port?: number | undefined; readonly env?: NodeJS.ProcessEnv }): Promise<PersistentDemoProvider> {
  const dataDir = resolve(options.dataDir);
  const paths = demoPaths(dataDir);
  await ensurePrivateDir(dataDir);
  await ensurePrivateDir(paths.dir);
  const recorded = await readDemoState(dataDir);
  const jwks = await loadOrCreateDemoJwks(dataDir);
  const store = new FileAdapterStore(paths.store);
  await store.load();
  const candidates = options.port !== undefined ? [options.port] : recorded !== undefined ? [recorded.port] : firstRunPorts(options.env ?? process.env);
  // oidc-provider and the rest of the provider load only here: other commands use this module too.
  const { startDemoProvider } = await import('./server.ts');
  let running: RunningDemoProvider | undefined;
  let lastError: unknown;
  for (const port of candidates) {
    try {
      running = await startDemoProvider({ port, jwks, adapter: store.factory() });
      break;
    } catch (error) {
      lastError = error;
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  if (running === undefined) {
    const busy = (lastError as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
    if (busy && options.port === undefined && recorded !== undefined) throw demoPortTaken(recorded, 'start');
    throw new DeskError('LOOPBACK_LISTEN_FAILED', busy
      ? `Port ${candidates.at(-1) ?? '?'} on 127.0.0.1 is in use; choose another with --port (0 = any free port).`
      : `The demo provider could not start: ${lastError instanceof Error ? lastError.message : String(lastError)}`, { cause: lastError });
  }
  const started = running;
  const startedAt = Date.now();
  const previousIssuers = recorded === undefined ? [] : [recorded.issuer, ...recorded.previousIssuers].filter((i, n, all) => i !== started.issuer && all.indexOf(i) === n).slice(0, MAX_PREVIOUS_ISSUERS);
  await writeDemoState(dataDir, { issuer: started.issuer, port: started.port, pid: process.pid, startedAt, previousIssuers });
  let closing: Promise<void> | undefined;
  return {
    issuer: started.issuer,
    port: started.port,
    previousIssuer: recorded !== undefined && recorded.issuer !== started.issuer ? recorded.issuer : undefined,
    close: () => {
      closing ??= (async () => {
        await started.close().catch(() => undefined);
        await store.flush().catch(() => undefined);
        const state = await readDemoState(dataDir);
        if (state?.pid === process.pid) await writeDemoState(dataDir, { ...state, pid: null });
      })();
      return closing;
    },
  };
}

export type { DemoLaunchCommand } from './launch.ts';

/** Options of {@link ensureDemoProvider}. */
export interface EnsureDemoOptions {
  readonly dataDir: string;
  /** How to start the background process (default {@link defaultLaunchCommand}; the desktop app forks a utility process). */
  readonly command?: DemoLaunchCommand;
  /** How long to wait for a started provider to answer (default 30 s). */
  readonly timeoutMs?: number;
  /** Progress for the user ("Starting the demo provider..."). */
  readonly onProgress?: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

async function logTail(path: string): Promise<string> {
  try {
    const text = (await readDataFile(path, { maxBytes: 16 * 1024 * 1024 }))?.toString('utf8') ?? '';
    return text.split('\n').filter((l) => l.trim() !== '' && !/Unsupported runtime|in-memory adapter/.test(l)).slice(-5).join(' | ');
  } catch {
    return '';
  }
}

/**
 * The issuer of the demo provider of this data directory, starting it in the background when none answers:
 * by default as a detached `oidc-desk --data-dir <dir> demo-idp`, or through the front's fork launcher (the
 * desktop app's utility process); its output goes to `demo-idp/provider.log`. Concurrent
 * callers share one start (a lock in the data directory). Fails DEMO_PORT_TAKEN when another program holds
 * the recorded port (nothing is started elsewhere), `LOOPBACK_LISTEN_FAILED` when it cannot start.
 */
export async function ensureDemoProvider(options: EnsureDemoOptions): Promise<{ issuer: string; pid: number; started: boolean }> {
  const dataDir = resolve(options.dataDir);
  const paths = demoPaths(dataDir);
  await ensurePrivateDir(dataDir);
  await ensurePrivateDir(paths.dir);
  return withFileLock(paths.lock, async () => {
    const running = await runningDemoProvider(dataDir);
    if (running !== undefined && running.pid !== null) return { issuer: running.issuer, pid: running.pid, started: false };
    const recorded = await readDemoState(dataDir);
    if (recorded !== undefined && !(await portIsFree(recorded.port))) throw demoPortTaken(recorded, 'start');
    options.onProgress?.('Starting the demo provider in the background...');
    const launched = await launchDemoProvider(options.command ?? defaultLaunchCommand(), {
      dataDir,
      cwd: paths.dir,
      logPath: paths.log,
      env: options.env ?? process.env,
    });
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      const exited = launched.exited();
      if (exited !== undefined) {
        await launched.logged();
        throw new DeskError('LOOPBACK_LISTEN_FAILED', `The demo provider did not start (${exited}): ${await logTail(paths.log)}`);
      }
      const pid = launched.pid();
      const state = await readDemoState(dataDir);
      if (pid !== undefined && state?.pid === pid && await isOwnDemoProvider(dataDir, state.issuer)) {
        return { issuer: state.issuer, pid, started: true };
      }
      await sleep(100);
    }
    launched.stop();
    throw new DeskError('LOOPBACK_LISTEN_FAILED', `The demo provider did not answer within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s (see ${paths.log}).`);
  }, { timeoutMs: (options.timeoutMs ?? 30_000) + 10_000 });
}

/**
 * Stops the demo provider of this data directory (SIGTERM to the recorded process once it answers as its own)
 * and waits until it is gone. Resolves false when none was running.
 */
export async function stopDemoProvider(options: { readonly dataDir: string; readonly timeoutMs?: number }): Promise<boolean> {
  const dataDir = resolve(options.dataDir);
  const running = await runningDemoProvider(dataDir);
  if (running === undefined || running.pid === null) return false;
  const pid = running.pid;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  // Gone, or recorded its clean stop (an exited child may linger as a zombie where nothing reaps it).
  const stopped = async (): Promise<boolean> => !isProcessAlive(pid) || (await readDemoState(dataDir))?.pid !== pid;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline && !(await stopped())) await sleep(50);
  if (!(await stopped())) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    const state = await readDemoState(dataDir);
    if (state?.pid === pid) await writeDemoState(dataDir, { ...state, pid: null });
  }
  return true;
}
