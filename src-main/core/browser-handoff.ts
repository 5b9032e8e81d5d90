/**
 * Hands an authorization URL to the system browser without putting it in any program's arguments: a
 * redirect file (HTML, mode 0600, alone in a new 0700 directory) that sends the browser on to the URL.
 *
 * Any local user can read every process's arguments (`/proc/<pid>/cmdline`, `ps`). A pending
 * authorization URL read there can be finished with the reader's own account, and the victim's app is
 * then signed in as the attacker (login CSRF). The system opener (`xdg-open`, `open`, `start`) and the
 * browser it starts therefore get only the file's `file:` URL. JupyterLab opens its token URL this way
 * (`use_redirect_file`).
 * @module
 */
import { constants, rmdirSync, unlinkSync } from 'node:fs';
import { lstat, mkdtemp, open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeskError } from './errors.ts';
import { errnoCode, escapeHtml } from './util.ts';

/** A redirect file waiting for the browser. */
export interface RedirectFile {
  /** The file's path. */
  readonly path: string;
  /** The file's `file:` URL: what the system opener is given. */
  readonly url: string;
  /** Removes the file and its directory. Synchronous (usable in an exit handler), idempotent, never throws. */
  remove(): void;
}

/**
 * The redirect page: a `<meta http-equiv="refresh">` to the URL and a link to click when a browser does
 * not follow it. No script, and a CSP that allows none; no referrer is sent.
 */
export function redirectPage(authorizationUrl: string): string {
  const url = escapeHtml(authorizationUrl);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0; url=${url}">
<title>OIDC Desk: continue to sign in</title>
</head>
<body>
<p>Continuing to the sign-in page of your provider. If nothing happens, <a href="${url}">continue to sign in</a>.</p>
</body>
</html>
`;
}

function failed(what: string, cause: unknown): DeskError {
  const code = errnoCode(cause);
  const why = code === undefined ? '' : ` (${code})`;
  return new DeskError('BROWSER_HANDOFF_FAILED', `Could not ${what} for the browser${why}.`, { cause });
}

/**
 * Writes the redirect file for `authorizationUrl` (http or https only) in a new private directory under
 * `parentDir` (`mkdtemp`: created with mode 0700, never an existing one), opened with O_EXCL and
 * O_NOFOLLOW, mode 0600. The caller removes it once the sign-in has ended: the browser reads it
 * asynchronously, so it must outlive the opener's own process.
 * @throws DeskError `BROWSER_HANDOFF_FAILED` when the URL is not http(s) or the file cannot be made safely.
 */
export async function createRedirectFile(authorizationUrl: string, parentDir: string): Promise<RedirectFile> {
  let protocol: string;
  try {
    protocol = new URL(authorizationUrl).protocol;
  } catch (error) {
    throw failed('read the authorization URL', error);
  }
  if (protocol !== 'https:' && protocol !== 'http:') throw new DeskError('BROWSER_HANDOFF_FAILED', 'Only an http(s) authorization URL is handed to the browser.');

  let dir: string;
  try {
    dir = await mkdtemp(join(parentDir, 'oidc-desk-sign-in-'));
  } catch (error) {
    throw failed('make a private directory', error);
  }
  const path = join(dir, 'sign-in.html');
  const remove = (): void => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
    try {
      rmdirSync(dir);
    } catch {
      // already gone, or not empty: never remove what we did not write
    }
  };
  try {
    const info = await lstat(dir);
    const uid = process.getuid?.();
    if (!info.isDirectory() || (uid !== undefined && (info.uid !== uid || (info.mode & 0o077) !== 0))) {
      throw new DeskError('BROWSER_HANDOFF_FAILED', 'The directory for the sign-in redirect file is not private to this user.');
    }
    // O_NOFOLLOW is POSIX only; on Windows the per-user temp directory keeps the file private.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
    const handle = await open(path, flags, 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(redirectPage(authorizationUrl), 'utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    remove();
    throw error instanceof DeskError ? error : failed('write the sign-in redirect file', error);
  }
  return { path, url: pathToFileURL(path).href, remove };
}
