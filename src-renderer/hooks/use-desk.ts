/** The one place the renderer reaches `window.oidcDesk`: every other hook gets the API from here. */
import type { DeskClient } from '../api.ts';

/** The API the page was given (by the preload or the browser-mode client), or undefined when there is none. */
export function useDesk(): DeskClient | undefined {
  return window.oidcDesk;
}
