/**
 * Keychain: set, get and delete of one session's entry through OIDC Desk's SecretStore
 * (KeytarSecretStore: serialization, size cap, the entry checked on read, errors mapped) against bare
 * keytar with the same value, on gnome-keyring over D-Bus, interleaved operation by operation.
 * Budget: the app's overhead at most 10% on each median. Beside each, the store's own work per call: the same
 * operation through the store and straight, over an in-memory keytar in this process (CPU only, no D-Bus),
 * so a difference between the two medians can be told from the keyring's variance. Needs a Secret Service:
 * `npm run bench` runs it inside a private D-Bus session with an unlocked gnome-keyring.
 * Run: npm run bench -- keychain   (OPS=100)
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
  // The store's own work: the same calls over an in-memory keytar, where a call costs next to nothing.
  const entries = new Map<string, string>();
  const memory = {
    getPassword: async (_s: string, a: string) => entries.get(a) ?? null,
    setPassword: async (_s: string, a: string, v: string) => void entries.set(a, v),
    deletePassword: async (_s: string, a: string) => entries.delete(a),
    findCredentials: async () => [],
  };
  const inMemory = new KeytarSecretStore({ service, load: async () => memory });
  const CALLS = 20_000;
  const perCall = async (fn: (i: number) => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await fn(i % 100);
    return ((performance.now() - t0) / CALLS) * 1000;
  };
  const id = (i: number): string => `s-${i.toString(16).padStart(8, '0')}`;
  const own = {
    set: { store: (i: number) => inMemory.set(id(i), secret), bare: (i: number) => memory.setPassword(service, id(i), value) },
    get: { store: (i: number) => inMemory.get(id(i)), bare: (i: number) => memory.getPassword(service, id(i)) },
    // Each delete finds its entry (put back first, on both sides), as in the keyring bench.
    delete: {
      store: (i: number) => (entries.set(id(i), value), inMemory.delete(id(i))),
      bare: (i: number) => (entries.set(id(i), value), memory.deletePassword(service, id(i))),
    },
  };
  for (const op of OPERATIONS) {
    const store: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < 5; round++) {
      // Every get finds its entry, as in the keyring bench.
      for (let i = 0; i < 100; i++) entries.set(id(i), value);
      store.push(await perCall(own[op].store));
      bare.push(await perCall(own[op].bare));
    }
    const ownUs = median(store) - median(bare);
    const keyring = rows.find((r) => r.what.startsWith(`keychain ${op}:`))?.values?.['keytarMedianMs'];
    const share = typeof keyring === 'number' ? `, ${((ownUs / 1000 / keyring) * 100).toFixed(1)}% of a keyring call's ${msText(keyring)}` : '';
    rows.push({
      bench: BENCH,
      what: `keychain ${op}: the store's own work per call (in-memory keytar, this process)`,
      figure: `${ownUs.toFixed(1)} µs`,
      budget: '',
      ok: null,
      reference: `through the store ${median(store).toFixed(1)} µs, straight ${median(bare).toFixed(1)} µs per call${share} (medians of 5 rounds of ${CALLS})`,
      values: { ownMicros: ownUs, storeMicros: median(store), bareMicros: median(bare), calls: CALLS },
    });
  }
  reportRows(rows);
}
