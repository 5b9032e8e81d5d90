// The renderer's production build (`npm run build:renderer`): React through Vite into dist/renderer/, with
// relative URLs (base ./) so the same files serve the desktop window and browser mode. No inline script and no
// external URL: the strict CSP holds, and the built index.html carries it too (frame-ancestors is left to the
// server's header: a <meta> CSP cannot express it).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** The window's Content Security Policy, the same as browser mode's header (minus frame-ancestors). */
export const RENDERER_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** Puts the CSP into the built index.html only: Vite's development server needs inline scripts of its own. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'oidc-desk-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: RENDERER_CSP }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./src-renderer', import.meta.url)),
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be inline-free but is not needed by the Chromium of Electron or any current browser.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
