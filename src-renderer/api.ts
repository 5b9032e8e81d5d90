/**
 * The renderer's view of OIDC Desk: `window.oidcDesk`, the renderer-facing part of `DeskApi`, which the
 * Electron preload provides in the desktop app and a small client script provides in browser mode.
 * Types only from the core; nothing here calls the API (hooks do).
 * @module
 */
import type { DeskApi, DeskOperation } from '../src-main/core/contract.ts';

/** What a page gets as `window.oidcDesk`: one async function per operation, plus `subscribe`. */
export type DeskClient = Omit<DeskApi, never>;

/** The operations a page may call by name. */
export type { DeskOperation };

declare global {
  interface Window {
    /** Absent when the page was opened outside the desktop app and browser mode. */
    readonly oidcDesk?: DeskClient;
  }
}
