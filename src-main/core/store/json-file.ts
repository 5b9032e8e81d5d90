/**
 * Versioned JSON files of the data directory: atomic writes (temp file, fsync, rename, fsync of the
 * directory), mode 0600, and reads that set a corrupt or newer file aside instead of overwriting it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DeskError } from '../errors.ts';

/** The outcome of reading a versioned file. */
export type JsonFileRead<T> =
  | { readonly kind: 'ok'; readonly data: T }
  | { readonly kind: 'missing' };

/**
 * Reads `{ schemaVersion, ...}` from `path`. A file that is not valid JSON, or not a valid document
 * for `parse`, is renamed to `<name>.corrupt-<time>` and `INDEX_CORRUPT` is thrown; a file with a
 * newer `schemaVersion` is left untouched and `INDEX_NEWER_VERSION` is thrown (so nothing overwrites it).
 */
export async function readJsonFile<T>(path: string, schemaVersion: number, parse: (value: unknown) => T | undefined, now: () => number): Promise<JsonFileRead<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new DeskError('INDEX_CORRUPT', `${basename(path)} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const aside = await setAside(path, now);
    throw new DeskError('INDEX_CORRUPT', `${basename(path)} was not valid JSON; it was kept aside as ${basename(aside)} and a new one started.`, { cause: error });
  }
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > schemaVersion) {
    throw new DeskError('INDEX_NEWER_VERSION', `${basename(path)} was written by a newer OIDC Desk (schema ${version}, this one reads ${schemaVersion}). Update OIDC Desk; the file was left untouched.`);
  }
  const data = version === schemaVersion ? parse(value) : undefined;
  if (data === undefined) {
    const aside = await setAside(path, now);
    throw new DeskError('INDEX_CORRUPT', `${basename(path)} did not have the expected content; it was kept aside as ${basename(aside)} and a new one started.`);
  }
  return { kind: 'ok', data };
}

async function setAside(path: string, now: () => number): Promise<string> {
  const aside = `${path}.corrupt-${new Date(now()).toISOString().replaceAll(':', '-')}`;
  await rename(path, aside);
  return aside;
}

/** Writes `data` to `path` atomically with mode 0600; readers see the old or the new file, never a torn one. */
export async function writeJsonFileAtomic(path: string, data: unknown): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Persist the rename itself (POSIX); not possible on Windows, where it is not needed.
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  await dirHandle?.sync().catch(() => undefined);
  await dirHandle?.close();
}
