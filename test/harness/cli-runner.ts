/**
 * Runs the real `oidc-desk` command (bin/oidc-desk.cjs) as a child process for end-to-end tests: one
 * data directory and keychain service per simulated user, output captured, secrets kept out of it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oauth from 'oauth4webapi';
import { KeytarSecretStore } from '../../src-main/core/store/keytar-secret-store.ts';
import { recordSecrets } from './secrets-ledger.ts';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'oidc-desk.cjs');
export const AGENT = join(ROOT, 'test', 'harness', 'browser-command.ts');
/** The Chromium agent as a --browser-command: the authorization URL is appended as its last argument. */
export const BROWSER_COMMAND = `"${process.execPath}" --import tsx "${AGENT}"`;
export const KEYRING = process.env['OIDC_DESK_TEST_KEYRING'] === '1';
export const NO_KEYRING = 'needs a Secret Service keychain: run through npm test (private D-Bus session with gnome-keyring unlocked, OIDC_DESK_TEST_KEYRING=1)';
/** A safety net for a hung child, not a timing assertion. */
export const RUN_LIMIT_MS = 120_000;
export const SESSION_ID = /^s-[0-9a-f]{8}$/;

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  /** Resolves with stderr so far once it matches `pattern`. */
  stderrMatching(pattern: RegExp): Promise<RegExpExecArray>;
  readonly done: Promise<CliRun>;
}

export const children = new Set<ChildProcess>();
/** Everything the CLI children printed, checked for secrets at the end. */
export const transcript: string[] = [];
/** Secrets that must never appear in any CLI output (refresh tokens read from the keychain, forged codes). */
export const neverPrinted: string[] = [];

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Each CLI runs in its own process group: its browser command and Chromium go with it.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

let serviceCount = 0;

/** One CLI user: a data directory and a keychain service of its own. */
export class Cli {
  readonly service = `OIDC Desk cli-test ${process.pid} ${++serviceCount}`;
  readonly extraEnv: Readonly<Record<string, string | undefined>>;

  private constructor(readonly dataDir: string, extraEnv: Readonly<Record<string, string | undefined>>) {
    this.extraEnv = extraEnv;
  }

  static async create(extraEnv: Readonly<Record<string, string | undefined>> = {}): Promise<Cli> {
    return new Cli(await mkdtemp(join(tmpdir(), 'oidc-desk-cli-')), extraEnv);
  }

  env(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, OIDC_DESK_KEYCHAIN_SERVICE: this.service, OIDC_DESK_DEMO_IDP_PORT: '0' };
    delete env['NODE_TEST_CONTEXT'];
    for (const [k, v] of Object.entries({ ...this.extraEnv, ...extra })) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  /** Spawns `oidc-desk --data-dir <own dir> ...args` (or exactly `args` when `raw`); `input`, when given, is its stdin. */
  start(args: readonly string[], extra: Readonly<Record<string, string | undefined>> = {}, raw = false, input?: string): RunningCli {
    const child = spawn(process.execPath, [BIN, ...(raw ? [] : ['--data-dir', this.dataDir]), ...args], {
      cwd: ROOT, env: this.env(extra), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true,
    });
    if (input !== undefined) child.stdin?.end(input);
    if (child.stdout === null || child.stderr === null) throw new Error('the CLI was spawned without output pipes');
    const { stdout: out, stderr: err } = child;
    children.add(child);
    let stdout = '';
    let stderr = '';
    const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void; reject: (e: Error) => void }[] = [];
    const check = (): void => {
      for (const w of [...waiters]) {
        const m = w.pattern.exec(stderr);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    out.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    err.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      check();
    });
    const limit = setTimeout(() => killGroup(child, 'SIGKILL'), RUN_LIMIT_MS);
    const done = new Promise<CliRun>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(limit);
        children.delete(child);
        transcript.push(stdout, stderr);
        for (const w of waiters.splice(0)) w.reject(new Error(`the CLI ended (${code ?? signal}) before stderr matched ${w.pattern}:\n${stderr}`));
        resolve({ code, signal, stdout, stderr });
      });
    });
    return {
      done,
      stderrMatching: (pattern) => new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
    };
  }

  run(args: readonly string[], extra: Readonly<Record<string, string | undefined>> = {}): Promise<CliRun> {
    return this.start(args, extra).done;
  }

  /** `login <profile>` through Chromium as alice; returns the session id printed on stdout. */
  async login(profile: string): Promise<string> {
    const r = await this.run(['login', profile, '--browser-command', BROWSER_COMMAND, '--timeout', '90']);
    assert.equal(r.code, 0, `login failed:\n${r.stderr}`);
    assert.match(r.stdout, /^s-[0-9a-f]{8}\n$/, 'login prints exactly the session id');
    return r.stdout.trim();
  }

  async json(args: readonly string[]): Promise<unknown> {
    const r = await this.run([...args, '--json']);
    assert.equal(r.code, 0, `${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout) as unknown;
  }

  /** The refresh token in the keychain (read the way the desktop app would), recorded as a secret. */
  async storedRefreshToken(sessionId: string): Promise<string> {
    const read = await new KeytarSecretStore({ service: this.service }).get(sessionId);
    assert.equal(read.kind, 'found', 'the refresh token is in the OS keychain');
    const value = read.kind === 'found' ? read.secret.refreshToken : '';
    recordSecrets(value);
    neverPrinted.push(value);
    return value;
  }
}

/** Asserts a failed run: the exit status, `error <CODE>:` on stderr, nothing on stdout. */
export function assertFailed(r: CliRun, exitCode: number, code: string | RegExp): void {
  assert.equal(r.code, exitCode, `expected exit ${exitCode}, got ${r.code ?? r.signal}:\n${r.stderr}`);
  const pattern = typeof code === 'string' ? new RegExp(`^error ${code}: `, 'm') : code;
  assert.match(r.stderr, pattern);
  assert.equal(r.stdout, '', 'nothing on stdout');
}

/** Asserts a run that succeeded (its stderr as the message otherwise), and returns it. */
export function succeeded(r: CliRun): CliRun {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

/** Every file under a data directory, read as text and joined: to check that a secret is in none of them. */
export async function dataFilesText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return (await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'utf8')))).join('\n');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function introspectionActive(issuer: string, token: string): Promise<boolean> {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(new URL(issuer), await oauth.discoveryRequest(new URL(issuer), options));
  const res = await oauth.introspectionRequest(as, { client_id: 'oidc-desk' }, oauth.None(), token, options);
  return (await oauth.processIntrospectionResponse(as, { client_id: 'oidc-desk' }, res)).active === true;
}

export async function revokeAtProvider(issuer: string, token: string): Promise<void> {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(new URL(issuer), await oauth.discoveryRequest(new URL(issuer), options));
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, { client_id: 'oidc-desk' }, oauth.None(), token, options));
}


/**
 * For a test file's `after`: ends every CLI still running (with its browser command) and checks that
 * no secret registered with `neverPrinted` appears in anything the CLI runs printed.
 */
export function endCliRuns(): void {
  for (const child of children) killGroup(child, 'SIGTERM');
  const all = transcript.join('\n');
  for (const secret of neverPrinted) assert.ok(secret.length > 0 && !all.includes(secret), 'no refresh token ever appears in CLI output');
}

/** A `--browser-command` that only follows HTTP redirects: for a provider that approves at once (no pages). */
export const FETCH_BROWSER_COMMAND = `"${process.execPath}" --import tsx "${join(ROOT, 'test', 'harness', 'fetch-browser.ts')}"`;
