/** The CLI's progress line (updated in place on a terminal, a plain line each elsewhere, never a raw control character from its text) and its pictures (a QR code light on dark on a terminal). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { noColour, Output } from '../../../src-main/cli/output.ts';

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

test('a picture (a QR code) is drawn light on dark on a terminal, whatever its theme; plain elsewhere or with NO_COLOR', () => {
  const picture = '\u2588\u2580 \u2584\n\u2584 \u2588\u2588';
  const tty = stderr(true);
  tty.out.picture(picture, true);
  assert.equal(tty.text(), '\u001b[97;40m\u2588\u2580 \u2584\u001b[0m\n\u001b[97;40m\u2584 \u2588\u2588\u001b[0m\n');
  const noColours = stderr(true);
  noColours.out.picture(picture, false);
  assert.equal(noColours.text(), `${picture}\n`);
  const pipe = stderr(false);
  pipe.out.picture(picture, true);
  assert.equal(pipe.text(), `${picture}\n`);
  const odd = stderr(true);
  odd.out.picture('\u2588\u2588\n\u2580\u2580', true);
  assert.equal(odd.text(), '\u001b[97;40m\u2588\u2588\u001b[0m\n\u001b[97m\u2580\u2580\u001b[0m\n', 'a last line of upper halves keeps the terminal background below them');
  const hostile = stderr(true);
  hostile.out.picture('\u2588\u001b[2J', true);
  assert.equal(hostile.text(), '\u001b[97;40m\u2588\\u001b[2J\u001b[0m\n', 'no raw control character from the picture itself');
});

test('NO_COLOR counts when set and not empty', () => {
  assert.equal(noColour({ NO_COLOR: '1' }), true);
  assert.equal(noColour({ NO_COLOR: '' }), false);
  assert.equal(noColour({}), false);
});
