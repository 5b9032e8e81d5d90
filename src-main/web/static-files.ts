/**
 * The files browser mode serves: the production renderer from `dist/renderer/` (its `index.html` with
 * the client script that gives the page `window.oidcDesk`), the client script itself, and a page that
 * says how to build the renderer while it is not built.
 * @module
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '../core/util.ts';
import { refuse } from './security-headers.ts';

/** Where the client script is served. */
export const CLIENT_SCRIPT_PATH = '/oidc-desk-client.js';
/** The tag that loads it, before the renderer's own scripts (a classic script runs before deferred modules). */
export const CLIENT_SCRIPT_TAG = `<script src="${CLIENT_SCRIPT_PATH}"></script>`;

/** The production renderer (Vite's output), two levels above this file in the sources and in dist/cli/ alike. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
/** The built client script (scripts/build.mjs). */
export const DEFAULT_CLIENT_SCRIPT = fileURLToPath(new URL('../../dist/web/oidc-desk-client.js', import.meta.url));

/** The Content-Type of each file extension served (the desktop app's `app:` protocol serves the same files). */
export const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** `index.html` with the client script tag before its first script (unless it has the tag already). */
export function withClientScript(html: string): string {
  if (html.includes(`src="${CLIENT_SCRIPT_PATH}"`)) return html;
  const at = [/<script\b/i, /<\/head>/i].map((re) => re.exec(html)?.index).find((i) => i !== undefined);
  return at === undefined ? `${CLIENT_SCRIPT_TAG}\n${html}` : `${html.slice(0, at)}${CLIENT_SCRIPT_TAG}\n${html.slice(at)}`;
}

/** The page shown while `dist/renderer/` has no `index.html`: what to run. It loads the client script, so `window.oidcDesk` works. */
export function notBuiltPage(rendererDir: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>OIDC Desk: the renderer is not built</title>
${CLIENT_SCRIPT_TAG}
</head>
<body>
<h1>OIDC Desk</h1>
<p>The user interface is not built: there is no <code>index.html</code> in <code>${escapeHtml(rendererDir)}</code>.</p>
<p>Run <code>npm run build</code> in the OIDC Desk directory, then reload this page (the server keeps running).</p>
</body>
</html>
`;
}

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The file under `dir` that a URL path names, or undefined for a path that leaves it or is malformed. */
export async function fileUnder(dir: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const parts = decoded.split('/').filter((p) => p.length > 0);
  if (parts.some((p) => p === '..' || p === '.' || p.includes('\\') || p.includes('\0'))) return undefined;
  try {
    const root = await realpath(dir);
    const file = await realpath(join(root, ...parts));
    // Through a link or not, nothing outside the renderer's directory is served.
    if (!file.startsWith(root + sep)) return undefined;
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Serves a GET for a file: the client script, the renderer's files, `index.html` for `/`. */
export async function serveFile(res: ServerResponse, pathname: string, dirs: { readonly rendererDir: string; readonly clientScript: string }): Promise<void> {
  if (pathname === CLIENT_SCRIPT_PATH) {
    const script = await readFile(dirs.clientScript).catch(() => undefined);
    if (script === undefined) {
      refuse(res, 500, 'The browser-mode client script is not built: run "npm run build".');
      return;
    }
    send(res, TYPES['.js'] ?? '', script);
    return;
  }
  const wanted = pathname === '/' ? '/index.html' : pathname;
  const file = await fileUnder(dirs.rendererDir, wanted);
  if (file === undefined) {
    if (wanted === '/index.html') send(res, TYPES['.html'] ?? '', notBuiltPage(dirs.rendererDir));
    else refuse(res, 404, 'Not found.');
    return;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const body = await readFile(file);
  send(res, type, type.startsWith('text/html') ? withClientScript(body.toString('utf8')) : body);
}
