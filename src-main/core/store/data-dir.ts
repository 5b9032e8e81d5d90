/**
 * The data directory, checked rather than trusted: it is created 0700, and every reader and writer of its
 * files (index, profiles, locks, the demo provider's files, the token cache) goes through this module,
 * which refuses a directory or file that another user owns or may write, never follows a symbolic link,
 * and caps the size of what it reads. Another local user, or another program, must not be able to steer
 * OIDC Desk through its files.
 *
 * For other code in the data directory: {@link readDataFile}, {@link writeDataFileAtomic} (text or bytes),
 * {@link removeDataFile}, {@link openDataFileForAppend} and {@link ensurePrivateDir}; for the locks,
 * {@link createDataFile} and {@link removeOwnFile}. Paths are absolute;
 * files live in the data directory or in one of its direct subdirectories, whose parent is checked on each
 * access (the layout is never deeper).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsync, lstatSync, open as openCallback, openSync, unlinkSync, write, writeSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DeskError } from '../errors.ts';

/** Mode of the data directory and its subdirectories. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every data file. */
export const PRIVATE_FILE_MODE = 0o600;
/** Size cap of the session index and the profiles file (thousands of sessions fit in far less). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/**
 * What OIDC Desk owns at the top of the data directory. The desktop app's data directory is also
 * Electron's `userData`, where Chromium keeps files of its own (`SingletonLock` is a symbolic link by
 * design): those are not OIDC Desk's to judge.
 */
const OWN_ENTRIES: readonly RegExp[] = [
  /^(sessions|profiles)\.json(\.lock(\.[0-9a-f]+\.(tmp|stale))?|\.corrupt-.*)?$/,
  /^\.(sessions|profiles)\.json\.[0-9a-f]+\.tmp$/,
  /^(locks|demo-idp|tokens)$/,
];

// Windows has no POSIX modes or uids: there only symbolic links (and reparse points lstat reports as
// links) and sizes are checked; the directory's ACL is the user's profile's.
const POSIX = process.platform !== 'win32';
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const fsyncFd = promisify(fsync);
const openFd = promisify(openCallback);
const writeBytes = promisify(write);
// Every check compares with this process's uid, which does not change while OIDC Desk runs.
const UID = process.getuid?.();

function quote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`;
}

function insecure(path: string, why: string, fix: string): DeskError {
  return new DeskError('DATA_DIR_INSECURE', `${path} ${why}, so another user or program could steer OIDC Desk through it; OIDC Desk refuses to use it. ${fix}`);
}

/**
 * Throws DATA_DIR_INSECURE unless `st` (from lstat, or fstat of an open file) is a directory or regular
 * file as expected, owned by this user, not writable by group or others (and, for `secret` files, not
 * readable by them either).
 */
function assertSafe(path: string, st: Stats, kind: 'dir' | 'file', options: { secret?: boolean } = {}): void {
  if (st.isSymbolicLink()) {
    throw insecure(path, 'is a symbolic link', `OIDC Desk neither reads nor writes its files through links: look at it, then remove it (rm ${quote(path)}).`);
  }
  if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) {
    throw insecure(path, `is not a ${kind === 'dir' ? 'directory' : 'regular file'}`, `Look at it, then move it away.`);
  }
  if (!POSIX) return;
  const uid = UID;
  if (uid !== undefined && st.uid !== uid) {
    throw insecure(path, `belongs to another user (uid ${st.uid}, this is uid ${uid})`, `Give it back to this user (as root: chown ${uid} ${quote(path)}), or use another data directory.`);
  }
  const forbidden = options.secret === true ? 0o077 : 0o022;
  if ((st.mode & forbidden) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    const what = options.secret === true ? 'can be read or written by other users' : 'can be written by other users';
    throw insecure(path, `${what} (mode ${mode})`, `Fix it with: chmod ${kind === 'dir' ? '700' : '600'} ${quote(path)}`);
  }
}

/**
 * lstat, or undefined when nothing is at `path`. Synchronous underneath: a lookup of a path's metadata
 * never waits for file content, and costs a few microseconds where the thread pool's round trip of the
 * asynchronous call costs tens (hundreds on a loaded machine). Every check of the data directory runs
 * it, several per access.
 */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Checks what lstat found at a data file's path: a regular file (not a link), this user's, that others
 * cannot write. For code that must handle a file by name without reading it (a lock being broken).
 * @throws DeskError DATA_DIR_INSECURE.
 */
export function assertDataFileStats(path: string, st: Stats): void {
  assertSafe(path, st, 'file');
}

/**
 * What tells one version of a data file from another without reading it: the file (device, inode), its
 * size, and its modification and change times. Every write of OIDC Desk makes a new file (rename), and a
 * rewrite in place, a chmod or a rename changes the times, so a file whose identity is the one this
 * process wrote or read (and validated) still holds that content.
 */
export function fileIdentity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * The identity ({@link fileIdentity}) of what is at `path` now, link or not (never followed); undefined
 * when nothing is. Synchronous, like every lstat here (see {@link lstatOrUndefined}).
 */
export function currentFileIdentity(path: string): string | undefined {
  try {
    return fileIdentity(lstatSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Durable writes of this process between their first fsync and their last (see {@link whileSyncing}). */
let syncing = 0;

/**
 * True while a durable write of this process is syncing. Creating a file or writing to one takes a
 * handle of the file system's journal, and while a sync commits the journal (ext4: most of its time) that
 * waits; uncontended, the same call costs microseconds, less than a round trip through the thread pool.
 */
function journalBusy(): boolean {
  return syncing > 0;
}

async function whileSyncing<T>(fn: () => Promise<T>): Promise<T> {
  syncing += 1;
  try {
    return await fn();
  } finally {
    syncing -= 1;
  }
}

/**
 * Creates a new file at `path` (O_CREAT | O_EXCL with `flags`; a link or anything else at that name is
 * never opened: EEXIST) with `mode`, and writes `data` from its start; resolves with its descriptor, which
 * the caller closes (a file that could not be written is closed and removed). Synchronous while no sync
 * of this process is under way, through the thread pool while one is, so that the main thread (every
 * other sign-in and refresh) never waits for the journal.
 */
export async function createDataFile(path: string, flags: number, mode: number, data?: string | Uint8Array): Promise<number> {
  const all = flags | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;
  const fd = journalBusy() ? await openFd(path, all, mode) : openSync(path, all, mode);
  if (data === undefined) return fd;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.length;) {
      at += journalBusy() ? (await writeBytes(fd, bytes, at, bytes.length - at, at)).bytesWritten : writeSync(fd, bytes, at, bytes.length - at, at);
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes a file this process created and still holds (a lock it releases), never throwing (one already
 * gone is fine); synchronous or through the thread pool like {@link createDataFile}.
 */
export async function removeOwnFile(path: string): Promise<void> {
  try {
    if (journalBusy()) await unlink(path);
    else unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Checks the directory holding a data file (a real directory of ours that no one else may write); false when it does not exist. */
async function assertParentSafe(path: string): Promise<boolean> {
  const dir = dirname(path);
  const st = await lstatOrUndefined(dir);
  if (st !== undefined) assertSafe(dir, st, 'dir');
  return st !== undefined;
}

/**
 * Creates the directory `path` (mode 0700, with missing parents) or checks the existing one: a real
 * directory (not a symbolic link), owned by this user, not writable by others.
 */
export async function ensurePrivateDir(path: string): Promise<void> {
  // Every write and lock comes through here: one lstat when the directory exists, mkdir only when it does not.
  let st = await lstatOrUndefined(path);
  if (st === undefined) {
    await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
    st = await lstat(path);
  }
  assertSafe(path, st, 'dir');
}

/**
 * The start-up check of the data directory: creates it (0700) when missing, else checks it and OIDC
 * Desk's own entries in it (the index and profiles, their locks and aside copies, `locks/`, `demo-idp/`,
 * `tokens/` and their files). Neither the directory nor anything of OIDC Desk's in it may be a symbolic
 * link (each access checks the directory it reads from without following links).
 * @throws DeskError DATA_DIR_INSECURE naming the path and how to fix it.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  await ensurePrivateDir(dataDir);
  for (const name of await readdir(dataDir)) {
    if (!OWN_ENTRIES.some((re) => re.test(name))) continue;
    const path = join(dataDir, name);
    const st = await lstatOrUndefined(path);
    if (st === undefined) continue;
    const kind = st.isDirectory() ? 'dir' : 'file';
    assertSafe(path, st, kind);
    if (kind !== 'dir') continue;
    for (const inner of await readdir(path)) {
      const innerPath = join(path, inner);
      const innerSt = await lstatOrUndefined(innerPath);
      if (innerSt !== undefined) assertSafe(innerPath, innerSt, innerSt.isDirectory() ? 'dir' : 'file');
    }
  }
}

/**
 * Opens an existing data file without following a symbolic link and checks what was opened (fstat: a
 * regular file of ours that others cannot write). Undefined when it does not exist.
 */
async function openChecked(path: string, flags: number, options: { secret?: boolean } = {}): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  if (!(await assertParentSafe(path))) return undefined;
  // O_NOFOLLOW makes the kernel refuse a link; where it does not exist (Windows) lstat is the check.
  if (O_NOFOLLOW === 0) {
    const st = await lstatOrUndefined(path);
    if (st === undefined) return undefined;
    assertSafe(path, st, 'file', options);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, flags | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') assertSafe(path, await lstat(path), 'file', options);
    throw error;
  }
  try {
    const stats = await handle.stat();
    assertSafe(path, stats, 'file', options);
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Options of {@link readDataFile}. */
export interface ReadDataFileOptions {
  /** Refuse (DATA_FILE_TOO_LARGE) a file larger than this, before reading it. */
  readonly maxBytes: number;
  /** A file holding secrets (private keys, the token cache): others may not even read it. */
  readonly secret?: boolean;
}

/**
 * Reads a data file, or undefined when it does not exist.
 * @throws DeskError DATA_DIR_INSECURE (a link, another owner, writable by others), DATA_FILE_TOO_LARGE.
 */
export async function readDataFile(path: string, options: ReadDataFileOptions): Promise<Buffer | undefined> {
  return (await readIdentifiedDataFile(path, options))?.bytes;
}

/**
 * {@link readDataFile}, with the identity ({@link fileIdentity}) of the file read: as long as
 * {@link currentFileIdentity} gives the same, the file still holds these bytes.
 */
export async function readIdentifiedDataFile(path: string, options: ReadDataFileOptions): Promise<{ readonly bytes: Buffer; readonly identity: string } | undefined> {
  const opened = await openChecked(path, constants.O_RDONLY, options);
  if (opened === undefined) return undefined;
  const { handle, stats } = opened;
  try {
    const tooLarge = (): DeskError => new DeskError('DATA_FILE_TOO_LARGE', `${path} is larger than ${options.maxBytes} bytes, more than OIDC Desk ever writes there; it was not read.`);
    const size = stats.size;
    if (size > options.maxBytes) throw tooLarge();
    // Read until the end but never more than one byte past the cap: a file that grows meanwhile is still refused.
    // Asking for one byte more than the size ends the usual read in one call (a short read is the end).
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const want = Math.min(Math.max(size + 1 - length, 4096), options.maxBytes + 1 - length);
      const chunk = Buffer.alloc(want);
      const { bytesRead } = await handle.read(chunk, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > options.maxBytes) throw tooLarge();
      if (bytesRead < want) break;
    }
    return { bytes: Buffer.concat(chunks, length), identity: fileIdentity(stats) };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a data file atomically with mode 0600 (temp file, fsync, rename, fsync of the directory):
 * readers see the old or the new content, never a torn one. The directory is created (0700) when
 * missing; an existing file in the way that is a link, another user's, or writable by others is
 * refused rather than replaced. `durable: false` leaves out the two fsyncs, for a file that may be lost
 * in a crash because it can be made again (a cache whose reader takes an unreadable file for a miss):
 * the rename still gives readers the old or the new content while the system runs. Resolves with the
 * identity ({@link fileIdentity}) of the file written.
 */
export async function writeDataFileAtomic(path: string, data: string | Uint8Array, options: { readonly durable?: boolean } = {}): Promise<string> {
  const durable = options.durable ?? true;
  const dir = dirname(path);
  // Both checks pass before anything is created; they do not depend on each other.
  await ensurePrivateDir(dir);
  const existing = await lstatOrUndefined(path);
  if (existing !== undefined) assertSafe(path, existing, 'file');
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // O_EXCL: a name someone else created (a link included) is never opened. The file is created and
  // written by createDataFile (synchronously unless a sync is under way); fsync and rename go through the
  // thread pool.
  const fd = await createDataFile(temp, constants.O_WRONLY, PRIVATE_FILE_MODE, data);
  const finish = async (): Promise<string> => {
    let identity: string;
    try {
      if (durable) await fsyncFd(fd);
      await rename(temp, path);
      // The identity of the file as renamed, from its own descriptor: never another file put at `path` since.
      identity = fileIdentity(fstatSync(fd));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    } finally {
      closeSync(fd);
    }
    if (!durable) return identity;
    // Persist the rename itself (POSIX); not possible on Windows, where it is not needed. O_NONBLOCK and
    // O_DIRECTORY: whatever was put in the directory's place meanwhile is never waited on.
    let dirFd: number | undefined;
    try {
      dirFd = openSync(dir, constants.O_RDONLY | O_DIRECTORY | O_NONBLOCK);
    } catch {
      dirFd = undefined;
    }
    if (dirFd !== undefined) {
      await fsyncFd(dirFd).catch(() => undefined);
      closeSync(dirFd);
    }
    return identity;
  };
  return durable ? whileSyncing(finish) : finish();
}

/** Removes a data file (a link in its place is removed as a link, never followed). False when there was none. */
export async function removeDataFile(path: string): Promise<boolean> {
  if (!(await assertParentSafe(path))) return false;
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Moves a damaged data file aside as `<name>.corrupt-<time>` (never a link: those are refused before)
 * so that nothing overwrites it; returns the new path.
 */
export async function setDataFileAside(path: string, now: () => number): Promise<string> {
  await assertParentSafe(path);
  assertSafe(path, await lstat(path), 'file');
  const aside = `${path}.corrupt-${new Date(now()).toISOString().replaceAll(':', '-')}`;
  await rename(path, aside);
  return aside;
}

/** Opens a data file for appending (a log), creating it with mode 0600; never through a link. */
export async function openDataFileForAppend(path: string): Promise<FileHandle> {
  await ensurePrivateDir(dirname(path));
  const existing = await openChecked(path, constants.O_WRONLY | constants.O_APPEND);
  if (existing !== undefined) return existing.handle;
  try {
    return await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
  } catch (error) {
    // Created meanwhile by another process: open what is there now, checked.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const handle = await openChecked(path, constants.O_WRONLY | constants.O_APPEND);
    if (handle === undefined) throw error;
    return handle.handle;
  }
}
