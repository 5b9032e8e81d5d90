/**
 * Browser mode and connections that send no request in time (a browser opens connections ahead and keeps
 * used ones open): node:http ends them after `headersTimeout`, and the answer must be the 408 a browser
 * takes as "send it again on a new connection", never a 400 that the page would read as its call's answer.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { closeTestWebs, startTestWeb } from '../harness/web-server.ts';

after(closeTestWebs);

/** Opens a connection, writes `sent`, and returns everything the server writes until it closes. */
function answerTo(port: number, sent: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      if (sent !== '') socket.write(sent);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

test('a connection that sends nothing, or headers that never end, is answered 408 and closed', async () => {
  const web = await startTestWeb({ headersTimeoutMs: 300, timeoutCheckMs: 100 });
  const port = web.server.port;
  assert.match(await answerTo(port, ''), /^HTTP\/1\.1 408 /);
  assert.match(await answerTo(port, `POST /api/listSessions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`), /^HTTP\/1\.1 408 /);
  // The server goes on answering new connections.
  const res = await fetch(`${web.origin}/api/listSessions`, { method: 'POST' });
  assert.equal(res.status, 401);
  await web.close();
});

test('a request that cannot be parsed is still a 400', async () => {
  const web = await startTestWeb();
  assert.match(await answerTo(web.server.port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
  await web.close();
});
