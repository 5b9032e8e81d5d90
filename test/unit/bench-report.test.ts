/** The benchmark report (bench/report.ts): the row lines the runner collects, the one table it prints, the JSON it writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, formatTable, okText, parseRowLine, reportDocument, ROW_PREFIX, skippedRow, type BenchRow } from '../../bench/report.ts';

const within: BenchRow = {
  bench: 'refresh', what: 'single flight', figure: '1 request', budget: 'exactly 1', ok: true,
  reference: '100 of 100 calls answered', values: { tokenRequests: 1 },
};
const missed: BenchRow = { bench: 'sign-in', what: 'overhead', figure: '3.27x', budget: '<= 1.3x', ok: false, reference: 'bare 4.09 ms | desk 13.4 ms' };
const noBudget: BenchRow = { bench: 'sign-in', what: 'keychain write', figure: '2.51 ms', budget: '', ok: null, reference: 'whole step 16 ms' };
const skipped = skippedRow('keychain', 'keychain set', '<= +10%', 'needs a Secret Service keychain');

const machine = {
  date: '2026-12-02T11:00:00Z', node: 'v20.20.2', platform: 'linux x64', cpus: 2, cpuModel: 'Test CPU',
  loadAverage: { start: [0.5, 0.61, 0.7], end: [2, 1.5, 1] }, durationSeconds: 183.4,
};

test('a row line round-trips through the line a bench prints', () => {
  for (const row of [within, missed, noBudget, skipped]) {
    assert.deepEqual(parseRowLine(`${ROW_PREFIX}${JSON.stringify(row)}`), row);
  }
});

test('progress lines and malformed rows are not rows', () => {
  assert.equal(parseRowLine('400 sign-ins in 21.1 s'), undefined);
  assert.equal(parseRowLine(` ${ROW_PREFIX}${JSON.stringify(within)}`), undefined, 'the prefix starts the line');
  assert.equal(parseRowLine(`${ROW_PREFIX}{not json`), undefined);
  assert.equal(parseRowLine(`${ROW_PREFIX}[]`), undefined);
  assert.equal(parseRowLine(`${ROW_PREFIX}${JSON.stringify({ ...within, ok: 'yes' })}`), undefined);
  assert.equal(parseRowLine(`${ROW_PREFIX}${JSON.stringify({ ...within, figure: 1 })}`), undefined);
  assert.equal(parseRowLine(`${ROW_PREFIX}${JSON.stringify({ ...within, values: { nested: { a: 1 } } })}`), undefined);
  const { reference: _dropped, ...noReference } = within;
  assert.equal(parseRowLine(`${ROW_PREFIX}${JSON.stringify(noReference)}`), undefined);
});

test('ok reads yes, NO, or - when there is no budget or the row was skipped', () => {
  assert.deepEqual([within, missed, noBudget, skipped].map(okText), ['yes', 'NO', '-', '-']);
});

test('the table has one aligned row per figure, with the skip reason in place of the reference', () => {
  const lines = formatTable([within, missed, noBudget, skipped]).split('\n');
  assert.equal(lines.length, 6, 'header, rule, four rows');
  assert.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line as wide as the others');
  assert.match(lines[0] ?? '', /^\| bench +\| what +\| figure +\| budget +\| ok +\| reference, same run \(or why skipped\) +\|$/);
  assert.match(lines[1] ?? '', /^\| -+ \| -+ \| -+ \| -+ \| -+ \| -+ \|$/);
  assert.deepEqual((lines[3] ?? '').split(/(?<!\\)\|/).map((c) => c.trim()).slice(1, -1), ['sign-in', 'overhead', '3.27x', '<= 1.3x', 'NO', 'bare 4.09 ms \\| desk 13.4 ms']);
  assert.deepEqual((lines[5] ?? '').split('|').map((c) => c.trim()).slice(1, -1), ['keychain', 'keychain set', 'skipped', '<= +10%', '-', 'skipped: needs a Secret Service keychain']);
});

test('a cell is one line: line breaks in a text do not break the table', () => {
  const lines = formatTable([{ ...noBudget, reference: 'first\nsecond' }]).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[2] ?? '', /first second/);
});

test('the report names the machine, its load at both ends, Node, and counts the budgets', () => {
  const text = formatReport(reportDocument(machine, [within, missed, noBudget, skipped]));
  const [first = '', blank, ...rest] = text.split('\n');
  assert.equal(first, 'OIDC Desk benchmarks, 2026-12-02T11:00:00Z: Node v20.20.2, linux x64, 2 x Test CPU; load average 0.50 0.61 0.70 at the start, 2.00 1.50 1.00 at the end; 183 s');
  assert.equal(blank, '');
  assert.match(rest.at(-1) ?? '', /^1 of 2 budgets met, 1 missed, 1 skipped\. Ratios are medians against the reference measured in the same run/);
  assert.equal(rest.filter((l) => l.startsWith('| ')).length, 6);
});

test('the JSON document is the machine and the rows, as they were collected', () => {
  const doc = JSON.parse(JSON.stringify(reportDocument(machine, [within, skipped]))) as Record<string, unknown>;
  assert.deepEqual(doc, { ...machine, rows: [within, skipped] });
});
