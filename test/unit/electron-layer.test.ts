/** The layer rule for the desktop shell, enforced by lint: only src-main/electron and src-main/preload may import electron. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').length;
}

const IMPORT = "import { app } from 'electron';\nexport const a = app;\n";

test('the shell may import electron', async () => {
  assert.equal(await restricted('src-main/electron/x.ts', IMPORT), 0);
  assert.equal(await restricted('src-main/preload/x.ts', IMPORT), 0);
});

test('nothing else may: the core, the CLI, browser mode and its client, the demo provider, the renderer, tests, scripts', async () => {
  for (const file of ['src-main/core/x.ts', 'src-main/cli/x.ts', 'src-main/web/x.ts', 'src-main/web/client/x.ts', 'src-main/demo-idp/x.ts', 'src-renderer/x.tsx', 'test/unit/x.test.ts', 'bench/x.ts', 'scripts/x.mjs']) {
    assert.equal(await restricted(file, IMPORT), 1, file);
  }
});

test('the browser-mode client may take the shared operation list, still nothing else of the core', async () => {
  assert.equal(await restricted('src-main/web/client/x.ts', "import { RENDERER_OPERATIONS } from '../../core/api/operations.ts';\nexport const a = RENDERER_OPERATIONS;\n"), 0);
  assert.equal(await restricted('src-main/web/client/x.ts', "import { parseInput } from '../../core/api/schemas.ts';\nexport const a = parseInput;\n"), 1);
});
