/** The layer rule for browser mode, enforced by lint: the core never imports it; its client script (which runs in the page) takes only types from the contract. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname });

async function restricted(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').length;
}

test('the core may not import browser mode', async () => {
  assert.equal(await restricted('src-main/core/api/x.ts', "import { startWebServer } from '../../web/server.ts';\nexport const a = startWebServer;\n"), 1);
});

test('the client script takes only types from the core contract; the server may import the core', async () => {
  assert.equal(await restricted('src-main/web/client/x.ts', "import { DESK_OPERATIONS } from '../../core/api/schemas.ts';\nexport const a = DESK_OPERATIONS;\n"), 1);
  assert.equal(await restricted('src-main/web/client/x.ts', "import type { DeskApi } from '../../core/contract.ts';\nexport type A = DeskApi;\n"), 0);
  assert.equal(await restricted('src-main/web/x.ts', "import { DESK_OPERATIONS } from '../core/api/schemas.ts';\nexport const a = DESK_OPERATIONS;\n"), 0);
});
