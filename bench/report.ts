/**
 * The benchmark report: each bench prints its rows as JSON lines on stdout (`reportRows`), the runner
 * (bench/run.mjs) collects them (`parseRowLine`) and prints one table with the machine's state
 * (`formatReport`), and writes the same as JSON (`reportDocument`).
 */

/** The prefix of a row line on a bench's stdout; every other line is the bench's progress. */
export const ROW_PREFIX = 'OIDC_DESK_BENCH_ROW ';

/** A raw figure kept in the JSON beside the texts. */
export type RawValue = number | string | boolean | null;

/** One line of the table: a figure, its budget, and the reference measured in the same run. */
export interface BenchRow {
  /** The bench that measured it (its file name without `.bench.ts`). */
  readonly bench: string;
  /** What is measured, e.g. `sign-in overhead, callback to session stored`. */
  readonly what: string;
  /** The figure as read: `1.12x`, `38.2 ms`, `1 request`. */
  readonly figure: string;
  /** The budget as read: `<= 1.3x`; empty for a figure reported without one. */
  readonly budget: string;
  /** Whether the figure is within its budget; null when there is no budget, or the row was skipped or failed. */
  readonly ok: boolean | null;
  /** The reference measured in the same run, with its figure: `bare oauth4webapi + jose: 9.1 ms`. */
  readonly reference: string;
  /** Why the figure could not be measured here (no keyring, no Chromium, the bench failed). */
  readonly skipped?: string;
  /** The raw figures (medians, samples counted, ratios) for the JSON file. */
  readonly values?: Readonly<Record<string, RawValue>>;
}

/** The machine while the benches ran. */
export interface MachineState {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  /** 1, 5 and 15 minute load averages at the start and at the end of the run. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly durationSeconds: number;
}

/** The JSON file of one run (bench/results/latest.json). */
export interface ReportDocument extends MachineState {
  readonly rows: readonly BenchRow[];
}

/** Prints rows for the runner to collect (one JSON line each, on stdout). */
export function reportRows(rows: readonly BenchRow[]): void {
  for (const row of rows) process.stdout.write(`${ROW_PREFIX}${JSON.stringify(row)}\n`);
}

/** A row that could not be measured, with the reason. */
export function skippedRow(bench: string, what: string, budget: string, reason: string): BenchRow {
  return { bench, what, figure: 'skipped', budget, ok: null, reference: '', skipped: reason };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRaw = (v: unknown): v is RawValue => v === null || ['number', 'string', 'boolean'].includes(typeof v);

/** The row of a line a bench printed, or undefined for any other line (progress, or a malformed row). */
export function parseRowLine(line: string): BenchRow | undefined {
  if (!line.startsWith(ROW_PREFIX)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(ROW_PREFIX.length));
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { bench, what, figure, budget, ok, reference, skipped, values } = value;
  if (typeof bench !== 'string' || typeof what !== 'string' || typeof figure !== 'string' || typeof budget !== 'string' || typeof reference !== 'string') return undefined;
  if (ok !== null && typeof ok !== 'boolean') return undefined;
  if (skipped !== undefined && typeof skipped !== 'string') return undefined;
  if (values !== undefined && !(isRecord(values) && Object.values(values).every(isRaw))) return undefined;
  return {
    bench, what, figure, budget, ok, reference,
    ...(skipped === undefined ? {} : { skipped }),
    ...(values === undefined ? {} : { values: values as Record<string, RawValue> }),
  };
}

/** `yes`, `NO`, or `-` (no budget, skipped, failed). */
export function okText(row: BenchRow): string {
  return row.ok === null ? '-' : row.ok ? 'yes' : 'NO';
}

/** A table cell: one line, pipes escaped (the table is Markdown). */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replaceAll('|', '\\|');
}

/** The rows as one aligned Markdown table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const headers = ['bench', 'what', 'figure', 'budget', 'ok', 'reference, same run (or why skipped)'];
  const body = rows.map((r) => [r.bench, r.what, r.figure, r.budget, okText(r), r.skipped === undefined ? r.reference : `skipped: ${r.skipped}`].map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

/** The load averages as `0.52 0.61 0.70`. */
function loads(values: readonly number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ');
}

/** The whole report: the machine line, the table, and a count of the budgets met. */
export function formatReport(doc: ReportDocument): string {
  const budgeted = doc.rows.filter((r) => r.ok !== null);
  const missed = budgeted.filter((r) => r.ok === false).length;
  const skipped = doc.rows.filter((r) => r.skipped !== undefined).length;
  return [
    `OIDC Desk benchmarks, ${doc.date}: Node ${doc.node}, ${doc.platform}, ${doc.cpus} x ${doc.cpuModel}; `
      + `load average ${loads(doc.loadAverage.start)} at the start, ${loads(doc.loadAverage.end)} at the end; ${doc.durationSeconds.toFixed(0)} s`,
    '',
    formatTable(doc.rows),
    '',
    `${budgeted.length - missed} of ${budgeted.length} budgets met, ${missed} missed, ${skipped} skipped. `
      + 'Ratios are medians against the reference measured in the same run, interleaved with it.',
  ].join('\n');
}

/** The JSON document of a run. */
export function reportDocument(machine: MachineState, rows: readonly BenchRow[]): ReportDocument {
  return { ...machine, rows };
}
