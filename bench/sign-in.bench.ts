/**
 * Benchmark: a full sign-in against the local provider (oidc-provider on 127.0.0.1, Chromium through
 * playwright-core), split into discovery, the browser part, and code exchange + ID token verification.
 * Run: npx tsx bench/sign-in.bench.ts   (RUNS=10 to change the number of sign-ins)
 */
import { performance } from 'node:perf_hooks';
import { createHttpClient } from '../src-main/core/http/client.ts';
import { SignInEngine } from '../src-main/core/oauth/sign-in.ts';
import { parseProfile } from '../src-main/core/profile.ts';
import { openBrowser } from '../test/harness/browser.ts';
import { DEMO_USERS, startTestIdp } from '../test/harness/idp.ts';
import { printTable, summarize } from './stats.ts';

const runs = Number(process.env.RUNS ?? 10);
const idp = await startTestIdp();
const browser = await openBrowser();
const user = DEMO_USERS[0]!;
const rows = { discovery: [] as number[], browser: [] as number[], exchange: [] as number[], total: [] as number[] };
try {
  for (let i = 0; i < runs; i++) {
    // A new engine each time: discovery and the JWKS fetch are part of every measured sign-in.
    const engine = new SignInEngine({ fetch: createHttpClient(), now: Date.now });
    const profile = parseProfile({ name: 'b', issuer: idp.issuer, clientId: 'oidc-desk', allowHttpLoopback: true, scopes: 'openid profile email offline_access', extraParams: { prompt: 'consent' } });
    const t0 = performance.now();
    const started = await engine.start(profile);
    const t1 = performance.now();
    const redirect = await browser.signIn(started.authorizationUrl, { username: user.username, password: user.password, redirectPrefix: 'dev.oidcdesk:/callback' });
    const t2 = performance.now();
    await engine.router.handle(redirect);
    const { tokens } = await started.result;
    const t3 = performance.now();
    if (tokens.idTokenReport?.kind !== 'jwt' || !tokens.idTokenReport.valid) throw new Error('ID token not verified');
    rows.discovery.push(t1 - t0);
    rows.browser.push(t2 - t1);
    rows.exchange.push(t3 - t2);
    rows.total.push(t3 - t0);
  }
} finally {
  await browser.close();
  await idp.stop();
}
console.log(`Full sign-in, discovery to verified tokens, ${runs} runs (ms):`);
const total = summarize(rows.total).median;
printTable(['step', 'median', 'p95', 'share of median total'], Object.entries(rows).map(([name, samples]) => {
  const s = summarize(samples);
  return [name, s.median, s.p95, `${((s.median / total) * 100).toFixed(0)} %`];
}));
