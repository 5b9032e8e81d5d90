/**
 * The loopback receiver's static reply pages and their headers: fixed text only, nothing loads, nothing
 * echoes the request.
 * @module
 */

/** The page after a callback that completed the sign-in. */
export const PAGE_OK = 'Signed in. You can close this tab and return to OIDC Desk.';
/** The page after a callback that failed it (the reason is shown in the app, never here). */
export const PAGE_FAILED = 'Sign-in did not complete. Return to OIDC Desk to see why.';
/** The page for a repeat of the callback. */
export const PAGE_ALREADY = 'This sign-in response was already received. Return to OIDC Desk.';
/** The page for a request without the pending state. */
export const PAGE_STRAY = 'This is not the sign-in response OIDC Desk is waiting for. Return to OIDC Desk.';

/** A whole static page around one fixed sentence: nothing from the request is ever put in it. */
export function page(text: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OIDC Desk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:4rem auto;max-width:32rem;padding:0 1rem;color:#222}</style>
</head>
<body>
<p>${text}</p>
</body>
</html>
`;
}

/** Headers of every page the receiver sends: nothing loads, nothing is cached, nothing leaks by Referer. */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
} as const;
