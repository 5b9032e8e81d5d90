/** Electron's `net.fetch` as the transport under the core's HTTP client: the system proxy settings and the OS certificate store apply. */
import type { Net } from 'electron';
import type { FetchLike } from '../core/http/client.ts';

/**
 * The base fetch for `openDesk({ fetch })`. The core's client adds timeouts, size caps, the no-redirect
 * rule and the masked exchange log around it. `bypassCustomProtocolHandlers`: a provider URL never reaches
 * the app's own `app:` handler.
 */
export function netFetch(net: Pick<Net, 'fetch'>): FetchLike {
  return (input, init) => net.fetch(String(input), { ...(init as RequestInit | undefined), bypassCustomProtocolHandlers: true });
}
