/**
 * A small JSON document in the data directory shared by several processes (desktop app, CLI):
 * every change re-reads the file under a lock, applies the change, and writes atomically.
 * @module
 */
import { withFileLock } from './file-lock.ts';
import { readJsonFile, writeJsonFileAtomic } from './json-file.ts';

/** A document type with its schema version, its empty value and its validator. */
export interface DocumentType<T> {
  readonly schemaVersion: number;
  empty(): T;
  /** Narrows a parsed file (including its `schemaVersion`) to T, or undefined when invalid. */
  parse(value: unknown): T | undefined;
}

/** A versioned JSON document at one path. */
export class VersionedStore<T extends object> {
  readonly path: string;
  readonly #type: DocumentType<T>;
  readonly #now: () => number;

  constructor(path: string, type: DocumentType<T>, now: () => number) {
    this.path = path;
    this.#type = type;
    this.#now = now;
  }

  /** Reads the document; a missing file is the empty document. Corrupt or newer files throw (see readJsonFile). */
  async read(): Promise<T> {
    const r = await readJsonFile(this.path, this.#type.schemaVersion, (v) => this.#type.parse(v), this.#now);
    return r.kind === 'ok' ? r.data : this.#type.empty();
  }

  /** Re-reads under the lock, applies `change`, writes atomically; returns the new document. */
  async update(change: (doc: T) => T | Promise<T>): Promise<T> {
    return withFileLock(`${this.path}.lock`, async () => {
      const next = await change(await this.read());
      await writeJsonFileAtomic(this.path, { schemaVersion: this.#type.schemaVersion, ...next });
      return next;
    }, { now: this.#now });
  }
}
