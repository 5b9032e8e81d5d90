/** A JWT's verification report, check by check: pass, fail, warn or not applicable, with the reason. */
import type { JwtInspection } from '../../src-main/core/contract.ts';

export type Props = {
  readonly report: JwtInspection['report'];
};

type Check = Props['report']['checks'][number];

const RESULT_WORDS: Readonly<Record<Check['result'], string>> = {
  pass: 'pass',
  fail: 'fail',
  warn: 'warning',
  'not-applicable': 'not applicable',
};

/** The provider's clock against this computer's (provider minus ours), in words. */
function clockWords(offsetMs: number): string {
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  if (seconds === 0) return 'The provider’s clock agrees with this computer’s.';
  return `The provider’s clock is ${seconds} s ${offsetMs > 0 ? 'ahead of' : 'behind'} this computer’s.`;
}

/** The verdict, then one row per check. */
export function VerificationReport({ report }: Props) {
  const failed = report.checks.filter((c) => c.result === 'fail').length;
  const warned = report.checks.filter((c) => c.result === 'warn').length;
  const signature = report.checks.find((c) => c.id === 'signature');
  return (
    <div className="report">
      <p className={report.valid ? 'verdict verdict--valid' : 'verdict verdict--invalid'} data-valid={report.valid}>
        {report.valid
          ? `Valid: every check passed${warned > 0 ? `, with ${warned} warning${warned === 1 ? '' : 's'}` : ''}${signature?.result === 'pass' ? ', signature verified' : ''}.`
          : `Not valid: ${failed} check${failed === 1 ? '' : 's'} failed.`}
        {report.clockOffsetMs === undefined ? null : ` ${clockWords(report.clockOffsetMs)}`}
      </p>
      <table className="table checks">
        <caption>Verification report, check by check</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {report.checks.map((check) => (
            <tr key={check.id} data-check={check.id} data-result={check.result}>
              <th scope="row" className="mono">{check.id}</th>
              <td>
                <span className={`result result--${check.result}`}>{RESULT_WORDS[check.result]}</span>
              </td>
              <td className="wrap">
                {check.detail}
                {check.code === undefined ? null : <span className="muted mono small">{` ${check.code}`}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
