/**
 * Deep links into the running app: macOS `open-url` (listened for before `ready`, buffered until the desk is
 * open), Windows/Linux `second-instance` argv, and the cold-start argv. Each goes through the interceptors,
 * then to the desk's callback router; the window then comes to the front.
 * @module
 */
import type { App } from 'electron';
import type { ProfileView, Result } from '../core/contract.ts';
import { extractDeepLink } from '../core/deep-link.ts';
import { APP_SCHEME } from '../core/profile.ts';

/** Looks at a deep link before the desk does; true when it took the URL (the desk then never sees it). */
export type DeepLinkInterceptor = (url: string) => boolean;

/** What deep links are delivered to, once the desk is open. */
export interface DeepLinkTarget {
  /** The desk's callback router (`Desk.deliverCallback`). */
  readonly deliver: (url: string) => Promise<Result<null>>;
  /** The registered schemes: `dev.oidcdesk` and the custom schemes of the saved profiles. */
  readonly schemes: () => Promise<readonly string[]>;
  /** Brings the window to the front (restored if minimized, focused). */
  readonly focus: () => void;
}

/** The deep-link entry of the app. */
export interface DeepLinks {
  /** The desk is open: delivers what was buffered (cold-start argv first, then `open-url` in order) and everything after. */
  open(target: DeepLinkTarget): Promise<void>;
  /** Resolves once every deep link received so far (after `open`) has been handled. */
  idle(): Promise<void>;
}

/** The schemes of saved profiles' custom-scheme redirects, and the app's own. */
export function registeredSchemes(profiles: readonly Pick<ProfileView, 'redirect'>[]): string[] {
  const schemes = new Set([APP_SCHEME]);
  for (const { redirect } of profiles) {
    if (redirect === null) continue;
    const colon = redirect.indexOf(':');
    if (colon > 0 && !redirect.startsWith('http:') && !redirect.startsWith('https:')) schemes.add(redirect.slice(0, colon).toLowerCase());
  }
  return [...schemes];
}

/** A command line (the cold start's, or a second instance's: that one brings the window up even without a link), or an `open-url` URL. */
type Pending = { readonly kind: 'argv'; readonly argv: readonly unknown[]; readonly secondInstance: boolean } | { readonly kind: 'url'; readonly url: unknown };

/**
 * Installs the listeners (call it before `ready`: macOS sends `open-url` for the link that started the app
 * early). `argv` is the cold-start command line (`process.argv`). Only the single argument after `--` that
 * parses as a registered scheme is used (core/deep-link.ts); `--inspect`, `--gpu-launcher=...` and any other
 * argument are ignored. A `second-instance` with no deep link only brings the window to the front.
 */
export function installDeepLinks(app: Pick<App, 'on'>, argv: readonly unknown[], interceptors: readonly DeepLinkInterceptor[]): DeepLinks {
  const buffered: Pending[] = [{ kind: 'argv', argv, secondInstance: false }];
  let target: DeepLinkTarget | undefined;

  const handle = async (pending: Pending, to: DeepLinkTarget): Promise<void> => {
    const schemes = await to.schemes();
    const url = pending.kind === 'argv' ? extractDeepLink(pending.argv, schemes) : extractDeepLink([pending.url], schemes);
    if (url === undefined) {
      if (pending.kind === 'argv' && pending.secondInstance) to.focus();
      return;
    }
    if (interceptors.some((intercept) => intercept(url))) return;
    await to.deliver(url);
    to.focus();
  };
  // One at a time, in arrival order: a callback never overtakes the one before it.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (pending: Pending): void => {
    if (target === undefined) {
      buffered.push(pending);
      return;
    }
    const to = target;
    queue = queue.then(() => handle(pending, to)).catch(() => undefined);
  };

  app.on('open-url', (event, url) => {
    event.preventDefault();
    enqueue({ kind: 'url', url });
  });
  app.on('second-instance', (_event, secondArgv) => enqueue({ kind: 'argv', argv: secondArgv, secondInstance: true }));

  return {
    open(to) {
      target = to;
      const first = buffered.splice(0);
      for (const pending of first) queue = queue.then(() => handle(pending, to)).catch(() => undefined);
      return queue;
    },
    idle: () => queue,
  };
}
