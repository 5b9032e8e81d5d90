/** Loopback ports for tests: one that was free a moment ago, and one held by "another program". */
import { Server } from 'node:net';

/** A port on `host` that nothing listened on a moment ago (bound, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const held = await holdPort(host);
  await held.release();
  return held.port;
}

/** A port held by a plain listener on `host` (another program, as far as the code under test knows). */
export async function holdPort(host = '127.0.0.1'): Promise<{ readonly port: number; release(): Promise<void> }> {
  const server = new Server();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
