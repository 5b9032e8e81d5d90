/**
 * Keychain: set, get and delete of one session's entry through OIDC Desk's SecretStore
 * (KeytarSecretStore: serialization, size cap, the entry checked on read, errors mapped) against bare
 * keytar with the same value, on gnome-keyring over D-Bus, interleaved operation by operation.
 * Budget: the app's overhead at most 10% on each median. Needs a Secret Service: `npm run bench` runs it
 * inside a private D-Bus session with an unlocked gnome-keyring. Run: npm run bench -- keychain   (OPS=100)
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { KeytarSecretStore } from '../src-main/core/store/keytar-secret-store.ts';
import type { StoredSecret } from '../src-main/core/store/secret-store.ts';
import { reportRows, skippedRow, type BenchRow } from './report.ts';
import { interleaved, median, msText } from './stats.ts';

const BENCH = 'keychain';
const BUDGET = 0.1;
const ops = Number(process.env['OPS'] ?? 100);
const service = `OIDC Desk bench ${randomUUID()}`;
const secret: StoredSecret = {
  v: 1,
  refreshToken: `rt-bench-${'x'.repeat(64)}`,
  issuer: 'http://127.0.0.1:4000',
  clientId: 'desk-bench',
  createdAt: Date.now(),
  cacheKey: 'k'.repeat(43),
};
const OPERATIONS = ['set', 'get', 'delete'] as const;

if (process.env['OIDC_DESK_TEST_KEYRING'] !== '1') {
  const reason = 'needs a Secret Service keychain: run through npm run bench (a private D-Bus session with gnome-keyring)';
  reportRows(OPERATIONS.map((op) => skippedRow(BENCH, `keychain ${op}: SecretStore vs bare keytar`, `<= +${BUDGET * 100}%`, reason)));
} else {
  const keytar = (await import('keytar')).default;
  const store = new KeytarSecretStore({ service });
  const status = await store.status();
  if (status.state !== 'available') throw new Error(`keychain ${status.state}`);
  const value = JSON.stringify(secret);
  const timed = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  /** One operation on both sides, entry `i` each: raw-i through keytar, bench-i through the store. */
  const measure = (op: typeof OPERATIONS[number]): Promise<Record<'keytar' | 'store', number[]>> => {
    let rawI = 0;
    let storeI = 0;
    const raw = { set: (i: number) => keytar.setPassword(service, `raw-${i}`, value), get: (i: number) => keytar.getPassword(service, `raw-${i}`), delete: (i: number) => keytar.deletePassword(service, `raw-${i}`) }[op];
    const app = { set: (i: number) => store.set(`s-${i.toString(16).padStart(8, '0')}`, secret), get: (i: number) => store.get(`s-${i.toString(16).padStart(8, '0')}`), delete: (i: number) => store.delete(`s-${i.toString(16).padStart(8, '0')}`) }[op];
    // No warm-up round: each entry is set, read and deleted exactly once.
    return interleaved(ops, { keytar: () => timed(() => raw(rawI++)), store: () => timed(() => app(storeI++)) }, 0);
  };
  const rows: BenchRow[] = [];
  try {
    for (const op of OPERATIONS) {
      const samples = await measure(op);
      const bare = median(samples.keytar);
      const app = median(samples.store);
      const overhead = app / bare - 1;
      rows.push({
        bench: BENCH,
        what: `keychain ${op}: SecretStore vs bare keytar (gnome-keyring)`,
        figure: `${overhead >= 0 ? '+' : ''}${(overhead * 100).toFixed(1)}%`,
        budget: `<= +${BUDGET * 100}%`,
        ok: overhead <= BUDGET,
        reference: `keytar ${msText(bare)}; SecretStore ${msText(app)} (medians of ${ops})`,
        values: { overhead, storeMedianMs: app, keytarMedianMs: bare, ops },
      });
    }
  } finally {
    for (let i = 0; i < ops; i++) {
      await keytar.deletePassword(service, `raw-${i}`).catch(() => false);
      await store.delete(`s-${i.toString(16).padStart(8, '0')}`).catch(() => false);
    }
  }
  reportRows(rows);
}
