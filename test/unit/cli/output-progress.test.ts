/** The CLI's progress line: updated in place on a terminal, a plain line each elsewhere, never a raw control character from its text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Output } from '../../../src-main/cli/output.ts';

function stderr(isTTY: boolean): { out: Output; text: () => string } {
  let text = '';
  const stream = Object.assign(new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }), { isTTY });
  return { out: new Output({ stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: stream }), text: () => text };
}

test('on a terminal a progress line replaces the one before, and endProgress erases it', () => {
  const s = stderr(true);
  s.out.progress('checked 1 time');
  s.out.progress('checked 2 times');
  s.out.endProgress();
  s.out.info('done');
  assert.equal(s.text(), '\rchecked 1 time\u001b[K\rchecked 2 times\u001b[K\r\u001b[Kdone\n');
});

test('elsewhere (a pipe, a file) each progress is a line of its own, and endProgress writes nothing', () => {
  const s = stderr(false);
  s.out.progress('checked 1 time');
  s.out.progress('checked 2 times');
  s.out.endProgress();
  assert.equal(s.text(), 'checked 1 time\nchecked 2 times\n');
});

test('the text of a progress line is made terminal-safe, on a terminal too', () => {
  const s = stderr(true);
  s.out.progress('provider says \u001b[2J\r\nhi\u009b');
  assert.equal(s.text(), '\rprovider says \\u001b[2J hi\\u009b\u001b[K');
});
