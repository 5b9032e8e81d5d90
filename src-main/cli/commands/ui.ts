/** `oidc-desk ui`: browser mode. The browser-mode server over a desk that follows the data directory, the system browser opened on its connection URL through a private redirect file, Ctrl-C to stop. */
import { tmpdir } from 'node:os';
import { createRedirectFile, type RedirectFile } from '../../core/browser-handoff.ts';
import type { Command } from '../args.ts';
import { spawnSystemOpener } from '../browser.ts';
import type { CliContext } from '../context.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import type { Output } from '../output.ts';

function printConnectUrl(out: Output, url: string): void {
  out.info(`Open this URL in a browser on this machine (it carries the connection token of this start: keep it to yourself):\n\n  ${url}\n`);
}

/**
 * Opens the connection URL in the system browser: its opener gets only the `file:` URL of a 0600
 * redirect file, since any local user can read a process's arguments and the token would let them in.
 * When that cannot be done, the URL is printed on stderr instead. Resolves with the file, to remove once
 * a browser has connected (or when browser mode stops).
 */
async function openInSystemBrowser(url: string, out: Output): Promise<RedirectFile | undefined> {
  let file: RedirectFile;
  try {
    file = await createRedirectFile(url, tmpdir());
  } catch {
    out.warn('Could not make the private redirect file for the browser.');
    printConnectUrl(out, url);
    return undefined;
  }
  process.once('exit', () => file.remove());
  let failed = false;
  const fallback = (why: string): void => {
    if (failed) return;
    failed = true;
    file.remove();
    out.warn(`Could not open a browser (${why}).`);
    printConnectUrl(out, url);
  };
  if (!(await spawnSystemOpener(file, process.platform, fallback))) return undefined;
  out.info(`Opening it in your browser through ${file.path} (readable only by you, removed once the browser has connected). A browser that cannot read it (a sandboxed one, such as a snap) shows an error instead: then run again with --no-open and open the printed URL yourself.`);
  return file;
}

export async function ui(ctx: CliContext, cmd: Extract<Command, { kind: 'ui' }>): Promise<ExitCode> {
  const desk = await ctx.desk();
  // node:http and the server load only for this command.
  const { startWebServer } = await import('../../web/server.ts');
  let redirect: RedirectFile | undefined;
  let connected = false;
  let server;
  try {
    server = await startWebServer({
      api: desk.api,
      ...(cmd.port === undefined ? {} : { port: cmd.port }),
      onConnected: () => {
        connected = true;
        redirect?.remove();
      },
    });
  } catch (error) {
    desk.close();
    throw error;
  }
  desk.startScheduler();
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

  const { port, origin } = server;
  ctx.out.data(`${origin}/`);
  ctx.out.info(`OIDC Desk browser mode at ${origin}/ (data directory ${ctx.dataDir}); Ctrl-C stops it.`);
  if (cmd.open) {
    const file = await openInSystemBrowser(server.connectUrl, ctx.out);
    if (connected) file?.remove();
    else redirect = file;
  } else {
    printConnectUrl(ctx.out, server.connectUrl);
  }
  ctx.out.info(`On a remote machine: start it there with --port ${port} --no-open, forward the port from here with "ssh -L ${port}:127.0.0.1:${port} <host>" (the same port on both ends), and open the printed URL here.`);
  ctx.out.info('Sign-ins from the page need a profile with a loopback redirect (a page cannot receive a custom URI scheme).');

  await stopped;
  ctx.out.info('Stopping browser mode...');
  await server.close();
  desk.close();
  redirect?.remove();
  return EXIT.OK;
}
