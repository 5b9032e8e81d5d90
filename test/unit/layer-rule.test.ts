/** The layer rule is enforced by lint: these imports must be reported where they do not belong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('core may not import electron, react, keytar or a front', async () => {
  assert.equal((await restricted('src-main/core/oauth/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).length, 1);
  assert.equal((await restricted('src-main/core/session/x.ts', "import { useState } from 'react';\nexport const a = useState;\n")).length, 1);
  assert.equal((await restricted('src-main/core/session/x.ts', "import keytar from 'keytar';\nexport const a = keytar;\n")).length, 1);
  assert.equal((await restricted('src-main/core/session/x.ts', "import { run } from '../../cli/run.ts';\nexport const a = run;\n")).length, 1);
});

test('the keytar store may import keytar; a front may import the core', async () => {
  assert.equal((await restricted('src-main/core/store/keytar-secret-store.ts', "import keytar from 'keytar';\nexport const a = keytar;\n")).length, 0);
  assert.equal((await restricted('src-main/cli/x.ts', "import { DeskError } from '../core/errors.ts';\nexport const a = DeskError;\n")).length, 0);
});

test('the renderer may take only the core contract', async () => {
  assert.equal((await restricted('src-renderer/x.ts', "import { DeskError } from '../src-main/core/errors.ts';\nexport const a = DeskError;\n")).length, 1);
  assert.equal((await restricted('src-renderer/x.ts', "import type { SessionView } from '../src-main/core/contract.ts';\nexport type A = SessionView;\n")).length, 0);
});
