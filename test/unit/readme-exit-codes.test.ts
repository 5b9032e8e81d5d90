/** The README's exit-code table names every error code in the row of the exit status the CLI gives it: the table stays true as codes are added. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode } from '../../src-main/core/errors.ts';
import { EXIT } from '../../src-main/cli/exit-codes.ts';

const STATUS = { usage: EXIT.USAGE, protocol: EXIT.PROTOCOL, network: EXIT.NETWORK, keychain: EXIT.KEYCHAIN } as const;

test('every error code appears in the README exit-code table, in its status row', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('### Profiles'));
  const rows = new Map<number, string>();
  for (const line of section.split('\n')) {
    const m = /^\| (\d) \|/.exec(line);
    if (m) rows.set(Number(m[1]), line);
  }
  const missing = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => !(rows.get(STATUS[ERROR_CODES[code]]) ?? '').includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});
