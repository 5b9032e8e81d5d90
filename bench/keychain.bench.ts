/** Benchmark: latency of keychain set/get/delete through raw keytar, KeytarSecretStore and MemorySecretStore. */
// Run inside a D-Bus session with an unlocked keyring, e.g. (a private XDG_DATA_HOME gives a fresh keyring that
// the password creates, instead of an existing one of $HOME that may have another password):
//   XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \
//     --components=secrets >/dev/null; npx tsx bench/keychain.bench.ts'
// Optional: OPS=500 to change the number of operations per row.
import { randomUUID } from 'node:crypto';
import { KeytarSecretStore } from '../src-main/core/store/keytar-secret-store.ts';
import { MemorySecretStore } from '../src-main/core/store/memory-secret-store.ts';
import type { SecretStore, StoredSecret } from '../src-main/core/store/secret-store.ts';

const ops = Number(process.env.OPS ?? 200);
const service = `OIDC Desk bench ${randomUUID()}`;
const secret: StoredSecret = {
  v: 1,
  refreshToken: 'rt-bench-' + 'x'.repeat(64),
  issuer: 'http://127.0.0.1:4000',
  clientId: 'desk-bench',
  createdAt: Date.now(),
};

interface Row {
  name: string;
  samples: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

async function measure(name: string, fn: (i: number) => Promise<unknown>): Promise<Row> {
  const samples: number[] = [];
  for (let i = 0; i < ops; i += 1) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return { name, samples };
}

async function storeRows(label: string, store: SecretStore): Promise<Row[]> {
  const id = (i: number): string => `bench-${i}`;
  return [
    await measure(`${label} set`, (i) => store.set(id(i), secret)),
    await measure(`${label} set (overwrite)`, (i) => store.set(id(i), secret)),
    await measure(`${label} get (found)`, (i) => store.get(id(i))),
    await measure(`${label} delete`, (i) => store.delete(id(i))),
    await measure(`${label} get (absent, probed)`, (i) => store.get(id(i))),
    await measure(`${label} status`, () => store.status()),
  ];
}

async function main(): Promise<void> {
  const keytarModule = await import('keytar');
  const keytar = keytarModule.default;
  const store = new KeytarSecretStore({ service });
  const status = await store.status();
  if (status.state !== 'available') {
    console.error(`keychain ${status.state}: ${status.message ?? ''}`);
    console.error('run inside dbus-run-session with an unlocked gnome-keyring (see the top of this file)');
    process.exit(1);
  }
  const value = JSON.stringify(secret);
  const rows: Row[] = [];
  try {
    rows.push(await measure('keytar setPassword', (i) => keytar.setPassword(service, `raw-${i}`, value)));
    rows.push(await measure('keytar getPassword', (i) => keytar.getPassword(service, `raw-${i}`)));
    rows.push(await measure('keytar deletePassword', (i) => keytar.deletePassword(service, `raw-${i}`)));
    rows.push(await measure('keytar getPassword (missing)', (i) => keytar.getPassword(service, `raw-${i}`)));
    rows.push(...(await storeRows('KeytarSecretStore', store)));
    rows.push(...(await storeRows('MemorySecretStore', new MemorySecretStore())));
  } finally {
    for (let i = 0; i < ops; i += 1) {
      await keytar.deletePassword(service, `raw-${i}`).catch(() => false);
      await keytar.deletePassword(service, `bench-${i}`).catch(() => false);
    }
  }

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`keychain latency, ${ops} sequential ops per row, ms (Node ${process.version}, ${process.platform})`);
  console.log(`${'operation'.padEnd(width)}  ${'median'.padStart(8)}  ${'p95'.padStart(8)}  ${'max'.padStart(8)}`);
  for (const { name, samples } of rows) {
    const sorted = [...samples].sort((a, b) => a - b);
    const cells = [percentile(sorted, 50), percentile(sorted, 95), sorted[sorted.length - 1] ?? Number.NaN];
    console.log(`${name.padEnd(width)}  ${cells.map((c) => c.toFixed(3).padStart(8)).join('  ')}`);
  }
}

await main();
