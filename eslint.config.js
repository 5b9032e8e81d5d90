// Lint for OIDC Desk: typescript-eslint's recommended rules plus the layer rule from ARCHITECTURE.md.
import tseslint from 'typescript-eslint';

const fronts = ['**/electron/**', '**/cli/**', '**/preload/**', '**/demo-idp/**', '**/web/**', '**/src-renderer/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    // The bin and its code-cache loader are CommonJS on purpose (bin/oidc-desk.cjs says why): require() is how they load.
    files: ['bin/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Only the desktop shell (main process and preload) may import electron; the fake in test/harness stands in for it in tests.
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['src-main/electron/**', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'only src-main/electron and src-main/preload may import electron (layer rule)' }],
      }],
    },
  },
  {
    // Layer rule: the core is plain Node. No Electron, no React, no front.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'core must not import electron (layer rule)' },
          { name: 'react', message: 'core must not import react (layer rule)' },
          { name: 'react-dom', message: 'core must not import react (layer rule)' },
          { name: 'keytar', message: 'only core/store/keytar-secret-store.ts may import keytar' },
        ],
        patterns: [{ group: fronts, message: 'core must not import a front (layer rule)' }],
      }],
    },
  },
  {
    files: ['src-main/core/store/keytar-secret-store.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'core must not import electron' }, { name: 'react', message: 'core must not import react' }],
      }],
    },
  },
  {
    // Browser mode's client script runs in the page: like the renderer, it takes only types from the core contract.
    files: ['src-main/web/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'only src-main/electron and src-main/preload may import electron (layer rule)' }],
        patterns: [{ regex: '/core/(?!contract\\.ts$|api/operations\\.ts$)', message: 'the browser-mode client imports only types from src-main/core/contract.ts, and the operation list' }],
      }],
    },
  },
  {
    // The renderer may take only types from the core contract.
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'only src-main/electron and src-main/preload may import electron (layer rule)' }],
        patterns: [{ regex: 'src-main/(?!core/contract)', message: 'the renderer imports only types from src-main/core/contract.ts' }],
      }],
    },
  },
);
