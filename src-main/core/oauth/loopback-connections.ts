/**
 * What a flood of connections may cost the loopback receiver: one request per connection, and a bounded
 * number held open, where a new connection pushes out the oldest one that is not being answered.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Open connections kept at once. When one more arrives, the oldest one with no request being answered
 * (idle, or a request never finished) is dropped, so connections another program opens and holds cannot
 * keep the browser's callback out; the server's own cap, a multiple of this, bounds file descriptors.
 */
export const MAX_LOOPBACK_CONNECTIONS = 32;

/**
 * Makes `server` take one request per connection (a pipelined rest is never handled; every answer must
 * say `Connection: close`) and keep at most {@link MAX_LOOPBACK_CONNECTIONS} connections open beyond
 * those being answered, dropping the oldest idle one when another arrives: the newest may be the
 * browser's callback.
 */
export function limitConnections(server: Server): void {
  server.maxConnections = MAX_LOOPBACK_CONNECTIONS * 4;
  server.maxRequestsPerSocket = 1;
  /** Open connections, oldest first. */
  const open = new Set<Socket>();
  const answering = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      answering.delete(socket);
    });
    if (open.size <= MAX_LOOPBACK_CONNECTIONS) return;
    for (const held of open) {
      if (held === socket || answering.has(held)) continue;
      open.delete(held);
      held.destroy();
      return;
    }
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    answering.add(socket);
    res.once('close', () => answering.delete(socket));
  });
}
