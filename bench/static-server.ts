/** A static file server on 127.0.0.1 for the renderer benches, with browser mode's CSP, so pages run as they would there. */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { RENDERER_CSP } from '../vite.config.ts';

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves `dir` until `close()`; `origin` is `http://127.0.0.1:<port>`. */
export async function serveDirectory(dir: string): Promise<{ readonly origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': `${RENDERER_CSP}; frame-ancestors 'none'` }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
