/**
 * Values a user might paste into the wrong place (an ID token, an opaque refresh token, one starting with
 * "-") and text a hostile provider or data file might hold, with the checks that the CLI neither repeats
 * the first nor lets the second reach a terminal raw.
 */
import assert from 'node:assert/strict';

export const PASTED_JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InBhc3RlZCJ9.eyJzdWIiOiJwYXN0ZWQtdXNlciIsImF1ZCI6Im9pZGMtZGVzayJ9.c2lnbmF0dXJlLW9mLWEtcGFzdGVkLXRva2Vu';
export const PASTED_REFRESH = 'rT_8fJq2Lw9ZkPcX4vNbYe7uHsGdA1mQo3iRtKl6WzE';
export const PASTED_DASHED = '-Xk3pQ9vLr2TnWb8YhZc5uJdF7sGa1eMo4iKqRtUyVw';
export const PASTED = [PASTED_JWT, PASTED_REFRESH, PASTED_DASHED] as const;

/** True when any 8 consecutive characters of `secret` appear in `text` (a shortened echo counts too). */
export function echoes(text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i += 1) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

/** The line a hostile value tries to forge after its line break. */
export const FORGED = 'FORGED-LINE';

/**
 * Terminal control in every form: CSI clear screen, an OSC title ended by BEL, CR (overwrite the line),
 * U+2028, the 8-bit CSI U+009B, DEL, and a line break followed by a forged line.
 */
export function hostile(tag: string): string {
  return `${tag}\u001b[2J\u001b]0;pwned\u0007\r\u2028\u009b31m\u007f\n${FORGED} ${tag}`;
}

/** Raw C0 (other than tab and newline), DEL, C1 and the two line separators: none may reach a terminal. */
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Asserts that output holds no raw control character and no line forged by a hostile line break. */
export function assertTerminalSafe(output: string, label: string): void {
  const raw = RAW_CONTROL.exec(output);
  assert.equal(raw, null, `${label}: a raw control character (U+${(raw?.[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')}) reached the output:\n${JSON.stringify(output)}`);
  assert.ok(!output.split('\n').some((line) => line.trimStart().startsWith(FORGED)), `${label}: a hostile line break started a line of its own:\n${output}`);
}
