/**
 * A stand-in for the system opener (`xdg-open`, first on a child's PATH) that records what it was given
 * (and the mode, owner and content of a `file:` argument), then stays alive holding its arguments as a
 * browser started by xdg-open does; and the process table as any local user reads it (`/proc/<pid>/cmdline`).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The stand-in: with OPENER_FAIL set it fails instead. The argv record is written last: its presence means the rest is there. */
const STAND_IN = `#!/bin/sh
log="$OIDC_DESK_TEST_OPENER_LOG"
for a in "$@"; do
  case "$a" in
    file://*)
      p="\${a#file://}"
      stat -c '%a %u %F' "$p" > "$log/file-stat"
      stat -c '%a %u' "$(dirname "$p")" > "$log/dir-stat"
      cat "$p" > "$log/content"
      ;;
  esac
done
echo $$ > "$log/pid"
printf '%s\\0' "$@" > "$log/argv.tmp" && mv "$log/argv.tmp" "$log/argv"
[ -n "$OPENER_FAIL" ] && exit 3
exec "$OIDC_DESK_TEST_NODE" -e 'setTimeout(() => undefined, 300000)' -- "$@"
`;

/** What the stand-in saw. */
export interface OpenerRecord {
  readonly argv: string[];
  readonly fileStat: string;
  readonly dirStat: string;
  readonly content: string;
}

/** The stand-in installed as `xdg-open` in a directory of its own, and the pids of the openers started, to end after the tests. */
export class StandInOpener {
  readonly #pids: number[] = [];

  private constructor(readonly binDir: string) {}

  static async install(): Promise<StandInOpener> {
    const binDir = await mkdtemp(join(tmpdir(), 'oidc-desk-opener-'));
    await writeFile(join(binDir, 'xdg-open'), STAND_IN);
    await chmod(join(binDir, 'xdg-open'), 0o755);
    return new StandInOpener(binDir);
  }

  /** The environment of a child that should find the stand-in (failing when `fail`), and the directory it records into. */
  async env(fail = false): Promise<{ env: Record<string, string>; log: string }> {
    const log = await mkdtemp(join(tmpdir(), 'oidc-desk-opener-log-'));
    const env: Record<string, string> = {
      PATH: `${this.binDir}:${process.env['PATH'] ?? ''}`,
      OIDC_DESK_TEST_OPENER_LOG: log,
      OIDC_DESK_TEST_NODE: process.execPath,
      ...(fail ? { OPENER_FAIL: '1' } : {}),
    };
    return { env, log };
  }

  /** Waits (a safety limit, not a timing assertion) until the stand-in has run, and reads its record. */
  async record(log: string): Promise<OpenerRecord> {
    for (let i = 0; i < 600 && !existsSync(join(log, 'argv')); i += 1) await sleep(100);
    const read = (name: string): Promise<string> => readFile(join(log, name), 'utf8').catch(() => '');
    const pid = Number((await read('pid')).trim());
    // No pid file (the opener never ran) reads as 0, and kill(0) would signal this whole process group.
    if (Number.isSafeInteger(pid) && pid > 1) this.#pids.push(pid);
    return {
      argv: (await read('argv')).split('\0').slice(0, -1),
      fileStat: (await read('file-stat')).trim(),
      dirStat: (await read('dir-stat')).trim(),
      content: await read('content'),
    };
  }

  /** Ends the openers that are still alive. */
  stop(): void {
    for (const pid of this.#pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

/** True once the stand-in has run for this log directory. */
export function openerRan(log: string): boolean {
  return existsSync(join(log, 'argv'));
}

/** The URL a redirect page leads to. */
export function pageTarget(content: string): URL {
  const raw = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(content)?.[1] ?? '';
  return new URL(raw.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
}

/** Every process's argv, as any local user can read it. */
export async function allCommandLines(): Promise<{ pid: string; cmdline: string }[]> {
  const out: { pid: string; cmdline: string }[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline !== '') out.push({ pid, cmdline: cmdline.replaceAll('\0', ' ') });
  }
  return out;
}

/** Asserts that no process's argv holds any of `secrets`. */
export async function assertNoSecretInAnyArgv(secrets: readonly string[], when: string): Promise<void> {
  const lines = await allCommandLines();
  assert.ok(lines.length > 3, 'the process table is readable');
  const hits = lines.filter((l) => secrets.some((s) => l.cmdline.includes(s)));
  assert.deepEqual(hits.map((h) => h.pid), [], `${when}: no process argv holds any of these secrets`);
}
