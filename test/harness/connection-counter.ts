/** "Another program" on a given 127.0.0.1 port that counts every TCP connection made to it and closes it unread: proof that nothing at all was sent there. */
import { Server, type Socket } from 'node:net';

/** A listener that holds `port` and counts the connections it receives. */
export interface ConnectionCounter {
  readonly port: number;
  /** Connections accepted since the start. */
  count(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (fails when it is taken) and destroys each connection at once, counting it. */
export async function countConnections(port: number): Promise<ConnectionCounter> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = new Server((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    count: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
