/**
 * The system browser, opened only on URLs the core produced for a flow in progress: the authorization URL of
 * a started sign-in and the end-session URL of a sign-out. Each goes through a private redirect file
 * (core/browser-handoff.ts), never as the URL itself in the system opener's arguments.
 * @module
 */
import type { Shell } from 'electron';
import { createRedirectFile, type RedirectFile } from '../core/browser-handoff.ts';
import type { DeskApi, DeskEvent, DeskOperation, DeviceSignInStart, Result, SignInDone, SignInStart } from '../core/contract.ts';
import { isLoopbackHost } from '../core/profile.ts';


/**
 * True when `url` may go to the system browser at all: https, or http on a loopback host when the flow's
 * profile allows an http issuer on loopback. No credentials in the URL.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 */
export function isBrowserUrl(url: unknown, allowHttpLoopback: boolean): url is string {
  if (typeof url !== 'string' || url.length > 64 * 1024) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(parsed.hostname);
}

interface Allowed {
  readonly flowId: string;
  /** Made on the first open; a promise, so that two opens at once share one file (none is left behind). */
  file: Promise<RedirectFile> | undefined;
}

/** Removes the entry's redirect file, now or as soon as it is written. */
function removeFile(entry: Allowed): void {
  void entry.file?.then((file) => file.remove(), () => undefined);
}

/** What the opener needs: Electron's `shell` and a directory for the redirect files. */
export interface SystemBrowserDeps {
  readonly shell: Pick<Shell, 'openExternal'>;
  /** Parent of each redirect file's private directory (the OS temporary directory). */
  readonly tempDir: string;
}

/** The allow-set of URLs of flows in progress, and their hand-off to the system browser. */
export class SystemBrowser {
  readonly #deps: SystemBrowserDeps;
  readonly #allowed = new Map<string, Allowed>();

  constructor(deps: SystemBrowserDeps) {
    this.#deps = deps;
  }

  /** Adds a URL the core produced for `flowId`; false (nothing added) when it is not a URL a browser may get. */
  allow(url: string, flowId: string, allowHttpLoopback: boolean): boolean {
    if (!isBrowserUrl(url, allowHttpLoopback)) return false;
    if (!this.#allowed.has(url)) this.#allowed.set(url, { flowId, file: undefined });
    return true;
  }

  /** True while `url` is the URL of a flow in progress. */
  isAllowed(url: unknown): boolean {
    return typeof url === 'string' && this.#allowed.has(url);
  }

  /**
   * Opens an allowed URL in the system browser through its redirect file (made once per flow, removed when
   * the flow ends). False, with nothing opened, for any other URL or when the hand-off fails.
   */
  async open(url: unknown): Promise<boolean> {
    if (typeof url !== 'string') return false;
    const entry = this.#allowed.get(url);
    if (entry === undefined) return false;
    try {
      entry.file ??= createRedirectFile(url, this.#deps.tempDir).catch((error: unknown) => {
        entry.file = undefined;
        throw error;
      });
      const file = await entry.file;
      // The flow may have ended while the file was written.
      if (!this.#allowed.has(url)) {
        file.remove();
        return false;
      }
      await this.#deps.shell.openExternal(file.url);
      return true;
    } catch {
      return false;
    }
  }

  /** The flow ended (completed, failed, cancelled, timed out, logout returned): its URLs leave the set, their files are removed. */
  end(flowId: string): void {
    for (const [url, entry] of this.#allowed) {
      if (entry.flowId !== flowId) continue;
      removeFile(entry);
      this.#allowed.delete(url);
    }
  }

  /** Every flow ends (the app quits). */
  endAll(): void {
    for (const entry of this.#allowed.values()) removeFile(entry);
    this.#allowed.clear();
  }
}

/** Ends a flow's URLs when the desk announces the flow's outcome; returns the unsubscribe. */
export function endFlowsOnEvents(api: Pick<DeskApi, 'subscribe'>, browser: SystemBrowser): () => void {
  return api.subscribe((event: DeskEvent) => {
    if (event.type === 'sign-in-completed' || event.type === 'sign-in-failed' || event.type === 'end-session') browser.end(event.flowId);
  });
}

/** Whether a profile allows http on loopback (what decides an http URL of its flows). */
async function allowsHttpLoopback(api: Pick<DeskApi, 'listProfiles'>, profile: string | undefined): Promise<boolean> {
  if (profile === undefined) return false;
  const profiles = await api.listProfiles();
  return profiles.ok && profiles.value.some((p) => p.name === profile && p.allowHttpLoopback);
}

/** Runs one operation for the window; see {@link browserHandoffHook}. */
export type OperationHook = (operation: DeskOperation, input: unknown, run: () => Promise<Result<unknown>>) => Promise<Result<unknown>>;

/**
 * The IPC layer's hook that sees the URLs the core produced: a started sign-in's authorization URL and a
 * sign-out's end-session URL join the allow-set and open in the system browser at once.
 */
export function browserHandoffHook(api: Pick<DeskApi, 'listProfiles' | 'getSession'>, browser: SystemBrowser): OperationHook {
  return async (operation, input, run) => {
    if (operation !== 'startSignIn' && operation !== 'signOut') return run();
    // The session is gone after the sign-out: its profile is read before.
    let profile: string | undefined;
    if (operation === 'signOut') {
      const sessionId = (input as { readonly sessionId: string }).sessionId;
      const session = await api.getSession({ sessionId });
      profile = session.ok ? session.value.profile : undefined;
    }
    const result = await run();
    if (!result.ok) return result;
    let target: { readonly url: string; readonly flowId: string } | undefined;
    if (operation === 'startSignIn') {
      // A flow without a browser (client credentials, password) is done already: nothing to open.
      const started = result.value as SignInStart | SignInDone | DeviceSignInStart;
      if ('session' in started) return result;
      if ('device' in started) {
        // RFC 8628: the person finishes on another device, so nothing opens here; the window's link to the
        // verification page (checked by the core) may open it in the system browser while the flow waits.
        const allowHttp = await allowsHttpLoopback(api, started.profile);
        for (const url of [started.device.verificationUri, started.device.verificationUriComplete]) if (url !== undefined) browser.allow(url, started.flowId, allowHttp);
        return result;
      }
      profile = started.profile;
      target = { url: started.authorizationUrl, flowId: started.flowId };
    } else {
      target = (result.value as { readonly endSession?: { readonly flowId: string; readonly url: string } }).endSession;
    }
    if (target !== undefined && browser.allow(target.url, target.flowId, await allowsHttpLoopback(api, profile))) void browser.open(target.url);
    return result;
  };
}
