/** A small file-backed oidc-provider adapter: grants, sessions and tokens of the demo provider in one JSON file (atomic writes, 0600, never through a link) so they survive a restart. */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { isDeskError } from '../core/errors.ts';
import { readDataFile, setDataFileAside } from '../core/store/data-dir.ts';
import { writeJsonFileAtomic } from '../core/store/json-file.ts';

/** A stored oidc-provider model payload (plain JSON: oidc-provider serializes nothing else). */
export type AdapterPayload = Record<string, unknown>;

/** The adapter interface oidc-provider calls, one instance per model name. */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** The `adapter` configuration value oidc-provider takes: a factory called with the model name. */
export type AdapterFactory = (model: string) => OidcAdapter;

interface Entry {
  readonly model: string;
  payload: AdapterPayload;
  /** ms since the epoch; null = no expiry. */
  readonly expiresAt: number | null;
}

/** The models whose entries belong to a grant (as in oidc-provider's memory adapter). */
/** Models whose id is a bearer secret (access and refresh tokens, codes): stored by hash only. */
const BEARER_MODELS: ReadonlySet<string> = new Set([
  'AccessToken', 'RefreshToken', 'AuthorizationCode', 'ClientCredentials', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'RegistrationAccessToken', 'InitialAccessToken', 'PushedAuthorizationRequest',
]);

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

const SCHEMA_VERSION = 1;
/** Size cap of the store file: a demo provider's grants and tokens take a few kilobytes. */
const MAX_STORE_BYTES = 16 * 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEntries(value: unknown): Map<string, Entry> | undefined {
  if (!isRecord(value) || value['schemaVersion'] !== SCHEMA_VERSION || !isRecord(value['entries'])) return undefined;
  const out = new Map<string, Entry>();
  for (const [key, raw] of Object.entries(value['entries'])) {
    if (!isRecord(raw) || typeof raw['model'] !== 'string' || !isRecord(raw['payload'])) return undefined;
    const expiresAt = raw['expiresAt'];
    if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) return undefined;
    out.set(key, { model: raw['model'], payload: raw['payload'], expiresAt });
  }
  return out;
}

function copy(payload: AdapterPayload): AdapterPayload {
  return structuredClone(payload);
}

/**
 * The store behind every model's adapter: all entries in memory, the whole document written
 * atomically after each change (the demo provider holds a handful of entries). The awaiting
 * oidc-provider call returns only once its change is on disk.
 */
export class FileAdapterStore {
  readonly path: string;
  readonly #now: () => number;
  #entries: Map<string, Entry> | undefined;
  #loading: Promise<Map<string, Entry>> | undefined;
  #version = 0;
  #written = 0;
  #writing: Promise<void> | undefined;

  constructor(path: string, now: () => number = Date.now) {
    this.path = path;
    this.#now = now;
  }

  /** The adapter factory for oidc-provider's `adapter` option. */
  factory(): AdapterFactory {
    return (model) => this.#adapter(model);
  }

  /** Resolves once every change made so far is on disk. */
  async flush(): Promise<void> {
    await this.#persist(false);
  }

  /**
   * Reads the file now (it is read on first use otherwise), so that a store that is not safe to read
   * stops the provider before it serves anyone.
   * @throws DeskError DATA_DIR_INSECURE for a link, another user's file, or one others may write.
   */
  async load(): Promise<void> {
    await this.#load();
  }

  async #load(): Promise<Map<string, Entry>> {
    if (this.#entries) return this.#entries;
    this.#loading ??= (async () => {
      let entries: Map<string, Entry> | undefined;
      try {
        const bytes = await readDataFile(this.path, { maxBytes: MAX_STORE_BYTES });
        entries = bytes === undefined ? new Map() : parseEntries(JSON.parse(bytes.toString('utf8')));
        if (entries === undefined) throw new Error('unexpected content');
      } catch (error) {
        // Unsafe to read: refused, and asked again next time (never moved aside as if merely damaged).
        if (isDeskError(error, 'DATA_DIR_INSECURE')) {
          this.#loading = undefined;
          throw error;
        }
        // Keep a damaged store aside and start empty: users sign in again, nothing is overwritten.
        const aside = await setDataFileAside(this.path, this.#now).catch(() => undefined);
        process.stderr.write(`demo-idp: ${basename(this.path)} could not be read; ${aside === undefined ? '' : `kept aside as ${basename(aside)}, `}starting empty\n`);
        entries = new Map();
      }
      this.#entries = entries;
      return entries;
    })();
    return this.#loading;
  }

  #alive(entry: Entry | undefined): entry is Entry {
    return entry !== undefined && (entry.expiresAt === null || entry.expiresAt > this.#now());
  }

  #snapshot(entries: Map<string, Entry>): unknown {
    const out: Record<string, Entry> = {};
    for (const [key, entry] of entries) if (this.#alive(entry)) out[key] = entry;
    return { schemaVersion: SCHEMA_VERSION, entries: out };
  }

  /** Writes the current state; `changed` marks a new version that must reach the disk. */
  async #persist(changed: boolean): Promise<void> {
    const entries = await this.#load();
    if (changed) this.#version += 1;
    const target = this.#version;
    while (this.#written < target) {
      if (this.#writing) {
        await this.#writing.catch(() => undefined);
        continue;
      }
      const version = this.#version;
      // Expired entries are dropped from memory as well as from the file.
      for (const [key, entry] of entries) if (!this.#alive(entry)) entries.delete(key);
      const write = writeJsonFileAtomic(this.path, this.#snapshot(entries)).then(() => {
        this.#written = Math.max(this.#written, version);
      });
      this.#writing = write;
      try {
        await write;
      } finally {
        this.#writing = undefined;
      }
    }
  }

  #adapter(model: string): OidcAdapter {
    // A bearer token's id is the token itself (oidc-provider's opaque format): the file keeps only its
    // SHA-256 and drops `jti`, which find() restores from the id it is asked for.
    const bearer = BEARER_MODELS.has(model);
    const key = (id: string): string => (bearer ? `${model}:sha256:${createHash('sha256').update(id).digest('base64url')}` : `${model}:${id}`);
    const stored = (payload: AdapterPayload): AdapterPayload => {
      if (!bearer) return copy(payload);
      const { jti: _jti, ...rest } = copy(payload);
      return rest;
    };
    const restored = (id: string, payload: AdapterPayload): AdapterPayload => (bearer ? { ...copy(payload), jti: id } : copy(payload));
    const findBy = async (field: string, value: string): Promise<AdapterPayload | undefined> => {
      const entries = await this.#load();
      for (const entry of entries.values()) {
        if (entry.model === model && this.#alive(entry) && entry.payload[field] === value) return copy(entry.payload);
      }
      return undefined;
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const entries = await this.#load();
        const expiresAt = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? this.#now() + expiresIn * 1000 : null;
        entries.set(key(id), { model, payload: stored(payload), expiresAt });
        await this.#persist(true);
      },
      find: async (id) => {
        const entry = (await this.#load()).get(key(id));
        return this.#alive(entry) ? restored(id, entry.payload) : undefined;
      },
      findByUid: (uid) => findBy('uid', uid),
      findByUserCode: (userCode) => findBy('userCode', userCode),
      consume: async (id) => {
        const entry = (await this.#load()).get(key(id));
        if (!this.#alive(entry)) return;
        entry.payload = { ...entry.payload, consumed: Math.floor(this.#now() / 1000) };
        await this.#persist(true);
      },
      destroy: async (id) => {
        if ((await this.#load()).delete(key(id))) await this.#persist(true);
      },
      revokeByGrantId: async (grantId) => {
        const entries = await this.#load();
        let removed = false;
        for (const [k, entry] of entries) {
          if (GRANTABLE.has(entry.model) && entry.payload['grantId'] === grantId) {
            entries.delete(k);
            removed = true;
          }
        }
        if (removed) await this.#persist(true);
      },
    };
  }
}
