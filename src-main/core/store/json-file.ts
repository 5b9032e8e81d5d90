/**
 * Versioned JSON files of the data directory (through its checked reads and writes, see data-dir.ts):
 * atomic writes with mode 0600, a size cap, and reads that set a corrupt or oversized file aside
 * instead of overwriting it, or leave a newer file untouched.
 * @module
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DeskError, isDeskError } from '../errors.ts';
import { MAX_DOCUMENT_BYTES, readIdentifiedDataFile, setDataFileAside, writeDataFileAtomic } from './data-dir.ts';

/** The outcome of reading a versioned file. */
export type JsonFileRead<T> =
  | { readonly kind: 'ok'; readonly data: T; /** The file's identity when read (see data-dir.ts `fileIdentity`). */ readonly identity: string }
  | { readonly kind: 'missing' };

async function corrupt(path: string, why: string, now: () => number, cause?: unknown): Promise<DeskError> {
  const aside = await setDataFileAside(path, now);
  return new DeskError('INDEX_CORRUPT', `${basename(path)} ${why}; it was kept aside as ${basename(aside)} and a new one started.`, cause === undefined ? {} : { cause });
}

/**
 * Reads `{ schemaVersion, ...}` from `path`. A file larger than `maxBytes` (default
 * {@link MAX_DOCUMENT_BYTES}), not valid JSON, or not a valid document for `parse`, is renamed to
 * `<name>.corrupt-<time>` and `INDEX_CORRUPT` is thrown; a file with a newer `schemaVersion` is left
 * untouched and `INDEX_NEWER_VERSION` is thrown (so nothing overwrites it).
 * @throws DeskError DATA_DIR_INSECURE for a link, a file of another user, or one others may write.
 */
export async function readJsonFile<T>(path: string, schemaVersion: number, parse: (value: unknown) => T | undefined, now: () => number, maxBytes = MAX_DOCUMENT_BYTES): Promise<JsonFileRead<T>> {
  let read: { readonly bytes: Buffer; readonly identity: string } | undefined;
  try {
    read = await readIdentifiedDataFile(path, { maxBytes });
  } catch (error) {
    if (isDeskError(error, 'DATA_FILE_TOO_LARGE')) throw await corrupt(path, `was larger than ${maxBytes} bytes`, now, error);
    if (isDeskError(error)) throw error;
    throw new DeskError('INDEX_CORRUPT', `${basename(path)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (read === undefined) return { kind: 'missing' };
  let value: unknown;
  try {
    value = JSON.parse(read.bytes.toString('utf8'));
  } catch (error) {
    throw await corrupt(path, 'was not valid JSON', now, error);
  }
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > schemaVersion) {
    throw new DeskError('INDEX_NEWER_VERSION', `${basename(path)} was written by a newer OIDC Desk (schema ${version}, this one reads ${schemaVersion}). Update OIDC Desk; the file was left untouched.`);
  }
  const data = version === schemaVersion ? parse(value) : undefined;
  if (data === undefined) throw await corrupt(path, 'did not have the expected content', now);
  return { kind: 'ok', data, identity: read.identity };
}

/**
 * Writes `data` as JSON to `path` atomically with mode 0600; readers see the old or the new file, never a
 * torn one. Resolves with the identity of the file written.
 */
export function writeJsonFileAtomic(path: string, data: unknown): Promise<string> {
  return writeDataFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** The copies of `path` set aside as corrupt (`<name>.corrupt-<time>`), oldest first, as full paths. */
export async function asideCopies(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.corrupt-`;
  const names = await readdir(dirname(path)).catch(() => []);
  return names.filter((n) => n.startsWith(prefix)).sort().map((n) => join(dirname(path), n));
}
