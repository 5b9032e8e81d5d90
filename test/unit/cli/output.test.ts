/** The CLI's writer: control characters never reach a stream raw, errors never repeat a typed value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Output, TYPED_VALUE_PLACEHOLDER, safeText, toJson, withoutTypedValues } from '../../../src-main/cli/output.ts';
import { DeskError } from '../../../src-main/core/errors.ts';
import { RAW_CONTROL, hostile } from '../../harness/pasted-values.ts';

function capture(): { out: Output; stdout: () => string; stderr: () => string } {
  const texts = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr'): Writable => new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      texts[key] += chunk.toString();
      callback();
    },
  });
  return { out: new Output({ stdout: stream('stdout'), stderr: stream('stderr') }), stdout: () => texts.stdout, stderr: () => texts.stderr };
}

test('every write escapes control characters other than tab and newline, whatever the caller passed', () => {
  const c = capture();
  c.out.data(`a\t${hostile('data')}`);
  c.out.info(hostile('info'));
  c.out.warn(hostile('warn'));
  c.out.json({ v: hostile('json') });
  c.out.error(new DeskError('TOKEN_ERROR', hostile('message'), { oauthError: hostile('error'), oauthErrorDescription: hostile('description') }));
  c.out.error(new Error(hostile('internal')));
  for (const text of [c.stdout(), c.stderr()]) assert.equal(RAW_CONTROL.exec(text), null, JSON.stringify(text));
  assert.match(c.stdout(), /^a\tdata\\u001b\[2J/, 'a tab in a table line stays');
  assert.equal((JSON.parse(c.stdout().slice(c.stdout().indexOf('{'))) as { v: string }).v, hostile('json'), 'JSON keeps the value');
});

test('safeText puts untrusted text on one line, escaped, capped; toJson escapes what JSON.stringify leaves raw', () => {
  assert.equal(safeText('a\nb\r\nc\u001b[2J\u009b\u2028'), 'a b c\\u001b[2J\\u009b\\u2028');
  assert.equal(safeText('x'.repeat(10), 4), 'xxxx...');
  assert.equal(safeText({ k: 'v' }), '{"k":"v"}');
  assert.equal(toJson('\u0085\u2029\u007f'), '"\\u0085\\u2029\\u007f"');
});

test('typed values are taken out of an error: quoted ones of any length, long ones anywhere; short unquoted words stay', () => {
  const long = 'rT_8fJq2Lw9ZkPcX4vNbYe7uHsGdA1mQo3iRtKl6WzE';
  assert.equal(withoutTypedValues(`The issuer "${long}" is bad; ${long} again`, [long]), `The issuer ${TYPED_VALUE_PLACEHOLDER} is bad; ${TYPED_VALUE_PLACEHOLDER} again`);
  assert.equal(withoutTypedValues('The parameter "a.b" is set by OIDC Desk', ['a.b']), `The parameter ${TYPED_VALUE_PLACEHOLDER} is set by OIDC Desk`);
  assert.equal(withoutTypedValues('1 to 64 letters', ['1']), '1 to 64 letters');
  assert.equal(withoutTypedValues('nothing typed', []), 'nothing typed');
});

test('errors about a value not found or taken use the CLI\'s own words, whatever the message says', () => {
  const c = capture();
  c.out.neverEcho(['okta-prod']);
  c.out.error(new DeskError('PROFILE_NOT_FOUND', 'There is no profile "okta-prod".'));
  c.out.error(new DeskError('SESSION_NOT_FOUND', 'There is no such session "s-0badc0de".'));
  c.out.error(new DeskError('PROFILE_EXISTS', 'A profile called "okta-prod" exists already.'));
  assert.ok(!c.stderr().includes('okta-prod') && !c.stderr().includes('s-0badc0de'), c.stderr());
  assert.match(c.stderr(), /^error PROFILE_NOT_FOUND: There is no profile with that name\./m);
  assert.match(c.stderr(), /^error SESSION_NOT_FOUND: There is no session with that id\./m);
});
