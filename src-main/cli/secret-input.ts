/** Secrets typed into the CLI (a client secret, a password): read from stdin or from the terminal without echo, never from argv. */
import { DeskError } from '../core/errors.ts';

/** Longest secret read (a client secret or password is far shorter). */
const MAX_SECRET_BYTES = 8192;

/** Everything on stdin, without one trailing line break. */
export async function readSecretFromStdin(what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_SECRET_BYTES) throw new DeskError('USAGE', `The ${what} on stdin is longer than ${MAX_SECRET_BYTES} bytes.`);
    chunks.push(bytes);
  }
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (value.length === 0) throw new DeskError('USAGE', `No ${what} came on stdin.`);
  return value;
}

/**
 * One line typed at the terminal with nothing echoed (the prompt on stderr). Refused with USAGE when stdin
 * is not a terminal: then `stdinOption` must be used.
 */
export async function readSecretFromTerminal(prompt: string, what: string, stdinOption: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new DeskError('USAGE', `stdin is not a terminal: give the ${what} on stdin with ${stdinOption}.`);
  // Echo off before the prompt shows: what is typed as soon as it appears is never echoed.
  input.setRawMode(true);
  process.stderr.write(prompt);
  input.resume();
  try {
    const value = await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (data: Buffer): void => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
          if (ch === '\u0003') return done(() => reject(new DeskError('SIGN_IN_CANCELLED', 'Cancelled (interrupted).')));
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else if (typed.length < MAX_SECRET_BYTES) typed += ch;
        }
      };
      const done = (finish: () => void): void => {
        input.off('data', onData);
        finish();
      };
      input.on('data', onData);
    });
    if (value.length === 0) throw new DeskError('USAGE', `No ${what} was typed.`);
    return value;
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}
