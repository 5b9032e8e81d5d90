/**
 * A small JSON document in the data directory shared by several processes (desktop app, CLI):
 * every change re-reads the file under a lock, applies the change, and writes atomically.
 * @module
 */
import { currentFileIdentity } from './data-dir.ts';
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
  /** The document as this store last wrote or read (and validated) it, with that file's identity. */
  #known: { readonly identity: string; readonly doc: T } | undefined;

  constructor(path: string, type: DocumentType<T>, now: () => number) {
    this.path = path;
    this.#type = type;
    this.#now = now;
  }

  /**
   * Reads the document; a missing file is the empty document. Corrupt or newer files throw (see readJsonFile).
   * The file this store wrote or read last, still there unchanged (same identity), is not read again: its
   * document is the one validated then. Any other file (another process's write, a rewrite in place) is.
   */
  async read(): Promise<T> {
    const known = this.#known;
    if (known !== undefined && currentFileIdentity(this.path) === known.identity) return known.doc;
    const r = await readJsonFile(this.path, this.#type.schemaVersion, (v) => this.#type.parse(v), this.#now);
    this.#known = r.kind === 'ok' ? { identity: r.identity, doc: r.data } : undefined;
    return r.kind === 'ok' ? r.data : this.#type.empty();
  }

  /**
   * True when `doc` is the document this store last wrote or read and the file is still that one: reading
   * it again would give `doc`. False when unsure (another file, a failing lstat).
   */
  holds(doc: T): boolean {
    const known = this.#known;
    if (known === undefined || known.doc !== doc) return false;
    try {
      return currentFileIdentity(this.path) === known.identity;
    } catch {
      return false;
    }
  }

  /** Re-reads under the lock, applies `change`, writes atomically; returns the new document. */
  async update(change: (doc: T) => T | Promise<T>): Promise<T> {
    return withFileLock(`${this.path}.lock`, async () => {
      const next = await change(await this.read());
      const identity = await writeJsonFileAtomic(this.path, { schemaVersion: this.#type.schemaVersion, ...next });
      this.#known = { identity, doc: next };
      return next;
    }, { now: this.#now });
  }
}
