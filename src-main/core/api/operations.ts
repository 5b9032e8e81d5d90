/**
 * The names of the renderer-facing operations of `DeskApi`: the one list the preload and browser mode's
 * client script expose as `window.oidcDesk`. Plain data with types only from the contract, so that code
 * running in a page (or a sandboxed preload) can take it without the rest of the core.
 * @module
 */
import type { DeskOperation } from '../contract.ts';

// A record, not an array: the type makes the list complete and exact (a missing or unknown name fails to compile).
const OPERATION_SET: Readonly<Record<DeskOperation, true>> = {
  listProfiles: true,
  addProfile: true,
  updateProfile: true,
  removeProfile: true,
  checkProvider: true,
  startSignIn: true,
  cancelSignIn: true,
  listSessions: true,
  getSession: true,
  refreshSession: true,
  getUserinfo: true,
  introspectToken: true,
  revokeToken: true,
  signOut: true,
  revealToken: true,
  inspectJwt: true,
  sessionTimeline: true,
  exportHar: true,
  keychainStatus: true,
  startupProblems: true,
  demoProvider: true,
  ensureDemoProvider: true,
  schemeStatus: true,
  testScheme: true,
  clientCredential: true,
  setClientSecret: true,
  generateClientKey: true,
};

/** Every operation a renderer may call (everything of `DeskApi` but `subscribe`), in a stable order. */
export const RENDERER_OPERATIONS: readonly DeskOperation[] = Object.freeze(Object.keys(OPERATION_SET) as DeskOperation[]);
