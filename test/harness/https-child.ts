/**
 * A process of its own for the HTTPS test (test/integration/http-transport.test.ts): started with
 * NODE_EXTRA_CA_CERTS naming the test's certificate authority, which Node reads only at start. It sends one
 * form POST to the URL it is given through the core fetch, as the core does, and prints the answer as JSON.
 */
import { createHttpClient } from '../../src-main/core/http/client.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: https-child.ts <url>');
try {
  const res = await createHttpClient({ timeoutMs: 5000 })(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
  process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: (error as { code?: string }).code ?? String(error) }));
}
