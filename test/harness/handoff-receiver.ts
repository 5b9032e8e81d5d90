/** The stand-in app that the OS starts for a `dev.oidcdesk:` link: it reads argv like the packaged app and reports what it found to the waiting test. */
import { extractDeepLink } from '../../src-main/core/deep-link.ts';

// Started by xdg-open from the .desktop Exec line written by xdg-handoff.ts, so everything it needs comes
// from the environment that Chromium passed on: where to report, a token, and the scheme(s) to accept.
const reportUrl: unknown = process.env.OIDC_DESK_HANDOFF_REPORT_URL;
const token: unknown = process.env.OIDC_DESK_HANDOFF_TOKEN;
const schemes = String(process.env.OIDC_DESK_HANDOFF_SCHEMES ?? 'dev.oidcdesk').split(',');

if (typeof reportUrl !== 'string' || typeof token !== 'string' || !reportUrl.startsWith('http://127.0.0.1:')) {
  process.stderr.write('handoff-receiver: OIDC_DESK_HANDOFF_REPORT_URL / OIDC_DESK_HANDOFF_TOKEN not set; nothing to report to\n');
  process.exit(2);
}

// The whole argv, exactly as the packaged app would see it (argv[0] is the executable).
const argv = [...process.argv];
const deepLink = extractDeepLink(argv, schemes) ?? null;

try {
  const response = await fetch(reportUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-handoff-token': token },
    body: JSON.stringify({ argv, deepLink, pid: process.pid }),
    signal: AbortSignal.timeout(10_000),
    redirect: 'error',
  });
  await response.body?.cancel();
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`handoff-receiver: could not report to the test: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
