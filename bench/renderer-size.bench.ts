/**
 * Budget: the renderer's JavaScript and CSS, gzip-compressed, at most 250 KB in all. Builds the production
 * bundle (the same Vite config as `npm run build:renderer`) into a temporary directory and compresses each
 * file with gzip level 9, as a server or an installer would.
 * Run: npm run bench -- renderer-size
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { reportRows } from './report.ts';

const BUDGET_KB = 250;
const outDir = await mkdtemp(join(tmpdir(), 'oidc-desk-renderer-size-'));
try {
  await build({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const files = (await readdir(join(outDir, 'assets'))).filter((f) => ['.js', '.css'].includes(extname(f))).sort();
  const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const f of files) {
    const body = await readFile(join(outDir, 'assets', f));
    const kind = extname(f) === '.js' ? sizes.js : sizes.css;
    kind.raw += body.length;
    kind.gzip += gzipSync(body, { level: 9 }).length;
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  const gzip = sizes.js.gzip + sizes.css.gzip;
  const raw = sizes.js.raw + sizes.css.raw;
  reportRows([{
    bench: 'renderer-size',
    what: `renderer bundle, production JavaScript + CSS, gzip -9 (${files.length} files)`,
    figure: kb(gzip),
    budget: `<= ${BUDGET_KB} KB`,
    ok: gzip / 1024 <= BUDGET_KB,
    reference: `JavaScript ${kb(sizes.js.gzip)}, CSS ${kb(sizes.css.gzip)}; ${kb(raw)} before compression`,
    values: { gzipBytes: gzip, rawBytes: raw, jsGzipBytes: sizes.js.gzip, cssGzipBytes: sizes.css.gzip, files: files.length },
  }]);
} finally {
  await rm(outDir, { recursive: true, force: true });
}
