/**
 * Budget: the renderer's JavaScript and CSS, gzip-compressed, at most 250 KB in all. Builds the production
 * bundle (the same Vite config as `npm run build:renderer`) into a temporary directory and compresses each
 * file with gzip level 9, as a server or an installer would.
 * Run: npm run bench -- renderer-size
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { printTable } from './stats.ts';

const BUDGET_KB = 250;
const outDir = await mkdtemp(join(tmpdir(), 'oidc-desk-renderer-size-'));
try {
  await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const files = (await readdir(join(outDir, 'assets'))).filter((f) => ['.js', '.css'].includes(extname(f))).sort();
  const rows: (string | number)[][] = [];
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const body = await readFile(join(outDir, 'assets', f));
    const zipped = gzipSync(body, { level: 9 }).length;
    raw += body.length;
    gzip += zipped;
    rows.push([f.replace(/-[A-Za-z0-9_-]{8}\./, '.'), (body.length / 1024).toFixed(1), (zipped / 1024).toFixed(1), '', '']);
  }
  const ok = gzip / 1024 <= BUDGET_KB;
  rows.push(['total JS + CSS', (raw / 1024).toFixed(1), (gzip / 1024).toFixed(1), `${BUDGET_KB}`, ok ? 'yes' : 'NO']);
  printTable(['file', 'KB', 'KB gzip', 'budget KB gzip', 'ok'], rows);
  const results = new URL('./results/', import.meta.url);
  await mkdir(results, { recursive: true });
  await writeFile(new URL('renderer-size.json', results), `${JSON.stringify({ rawBytes: raw, gzipBytes: gzip, budgetKb: BUDGET_KB, ok }, null, 1)}\n`);
} finally {
  await rm(outDir, { recursive: true, force: true });
}
