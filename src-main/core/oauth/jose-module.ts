/**
 * jose, loaded once by the first caller that needs it: a command that checks no signature and makes no key
 * (`oidc-desk sessions`, `token` from the cache) never loads its ~45 modules, and every later caller gets
 * the same promise instead of a trip through the module loader per use.
 */
import type * as Jose from 'jose';

let joseModule: Promise<typeof Jose> | undefined;

/** The jose module. */
export function loadJose(): Promise<typeof Jose> {
  joseModule ??= import('jose');
  return joseModule;
}
