/**
 * The storage floor the sign-in and refresh benches measure beside the bare client: the same bare
 * oauth4webapi + jose client (bench/bare-client.ts), plus the file work that any client keeping its sessions
 * for several processes (the app and the CLI) and across a crash has to do, written straight on node:fs
 * and nothing more:
 * - a refresh holds a lock file of its session, created exclusively before the refresh token is sent and
 *   removed after, so that two processes never redeem one rotating refresh token;
 * - the refresh token is kept in a Map, as the desks of these benches keep theirs in the in-memory store;
 * - the access and ID tokens are encrypted (AES-256-GCM) into the session's cache file, written atomically
 *   (a temporary file renamed into place; not synced, since a lost cache costs one refresh);
 * - the session list is written durably (a temporary file, fsync, rename, fsync of the directory) under a
 *   lock file of its own (other processes write it too), one write carrying every change made while the
 *   previous write was under way.
 * It checks nothing in the data directory, logs no exchange, builds no report and announces nothing:
 * OIDC Desk's figure against this one is what its own code costs, the file system's floor set apart.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, constants, fsync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as oauth from 'oauth4webapi';
import type { BareClient, PendingCallback } from './bare-client.ts';

const fsyncFd = promisify(fsync);
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/** What the session list keeps of a session. */
interface StoredSession {
  readonly id: string;
  readonly subject: string;
  readonly scope: string;
  readonly createdAt: number;
  updatedAt: number;
  accessTokenExpiresAt: number;
}

/** The bare client with the minimum file work of a client whose sessions persist, in the directory `dir`. */
export class PersistingClient {
  readonly #bare: BareClient;
  readonly #dir: string;
  readonly #key = randomBytes(32);
  readonly #refreshTokens = new Map<string, string>();
  readonly #sessions = new Map<string, StoredSession>();
  /** The durable write under way, and the one that will carry the changes made meanwhile. */
  #writing: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;

  constructor(bare: BareClient, dir: string) {
    this.#bare = bare;
    this.#dir = dir;
    mkdirSync(join(dir, 'locks'), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, 'tokens'), { recursive: true, mode: 0o700 });
  }

  /** Redeems a callback and stores the session (cache file, durable session list); resolves with its id. */
  async signIn(pending: PendingCallback): Promise<string> {
    const tokens = await this.#bare.redeem(pending);
    const id = `s-${randomBytes(4).toString('hex')}`;
    const at = Date.now();
    if (tokens.refresh_token !== undefined) this.#refreshTokens.set(id, tokens.refresh_token);
    this.#sessions.set(id, { id, subject: oauth.getValidatedIdTokenClaims(tokens)?.sub ?? '', scope: tokens.scope ?? '', createdAt: at, updatedAt: at, accessTokenExpiresAt: at + (tokens.expires_in ?? 0) * 1000 });
    await Promise.all([this.#writeCache(id, tokens), this.#persist()]);
    return id;
  }

  /** Refreshes a session under its lock file, then stores the new tokens like a sign-in does. */
  async refresh(id: string): Promise<void> {
    const lock = join(this.#dir, 'locks', `${id}.lock`);
    const fd = openSync(lock, CREATE, 0o600);
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, at: Date.now() }));
      const old = this.#refreshTokens.get(id);
      if (old === undefined) throw new Error(`no session ${id}`);
      const tokens = await this.#bare.refresh(old);
      this.#refreshTokens.set(id, tokens.refresh_token ?? old);
      const session = this.#sessions.get(id);
      if (session === undefined) throw new Error(`no session ${id}`);
      session.updatedAt = Date.now();
      session.accessTokenExpiresAt = session.updatedAt + (tokens.expires_in ?? 0) * 1000;
      await Promise.all([this.#writeCache(id, tokens), this.#persist()]);
    } finally {
      closeSync(fd);
      unlinkSync(lock);
    }
  }

  /** The session's tokens, encrypted, in a file written atomically (not synced). */
  async #writeCache(id: string, tokens: oauth.TokenEndpointResponse): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const plain = JSON.stringify({ accessToken: tokens.access_token, tokenType: tokens.token_type, expiresIn: tokens.expires_in, idToken: tokens.id_token, receivedAt: Date.now() });
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const body = JSON.stringify({ iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), data: data.toString('base64url') });
    const path = join(this.#dir, 'tokens', `${id}.json`);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(temp, CREATE, 0o600);
    try {
      writeSync(fd, body);
      await rename(temp, path);
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves once a durable write of the session list that started after this call has ended. */
  #persist(): Promise<void> {
    this.#next ??= this.#writing.then(() => {
      this.#next = undefined;
      this.#writing = this.#writeList();
      return this.#writing;
    });
    return this.#next;
  }

  async #writeList(): Promise<void> {
    const path = join(this.#dir, 'sessions.json');
    const lock = `${path}.lock`;
    const lockFd = openSync(lock, CREATE, 0o600);
    try {
      writeSync(lockFd, JSON.stringify({ pid: process.pid, at: Date.now() }));
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const fd = openSync(temp, CREATE, 0o600);
      try {
        writeSync(fd, JSON.stringify({ sessions: [...this.#sessions.values()] }, null, 2));
        await fsyncFd(fd);
        await rename(temp, path);
      } finally {
        closeSync(fd);
      }
      const dirFd = openSync(this.#dir, constants.O_RDONLY);
      try {
        await fsyncFd(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } finally {
      closeSync(lockFd);
      unlinkSync(lock);
    }
  }
}
