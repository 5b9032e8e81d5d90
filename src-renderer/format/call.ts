/** Calling one operation of a given API object: the result types, and a call that never rejects. */
import type { ErrorView, Result } from '../../src-main/core/contract.ts';
import type { DeskClient, DeskOperation } from '../api.ts';

/** The input arguments of an operation (none, or its one input object). */
export type OperationArgs<K extends DeskOperation> = Parameters<DeskClient[K]>;
/** The value an operation resolves with when it succeeds. */
export type OperationValue<K extends DeskOperation> = Awaited<ReturnType<DeskClient[K]>> extends Result<infer T> ? T : never;

const NO_DESK: ErrorView = { code: 'HTTP_NETWORK', message: 'This page is not connected to OIDC Desk.' };

/**
 * Calls `operation` on `desk`. The API resolves every outcome as a Result; should a transport reject or
 * answer something else anyway, that becomes an error Result too, so a view always has something to show.
 */
export async function callOperation<K extends DeskOperation>(desk: DeskClient | undefined, operation: K, args: OperationArgs<K>): Promise<Result<OperationValue<K>>> {
  if (desk === undefined) return { ok: false, error: NO_DESK };
  try {
    const fn = desk[operation] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(desk, args);
    if (typeof result === 'object' && result !== null && 'ok' in result) return result as Result<OperationValue<K>>;
  } catch {
    // fall through: reported as below
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'OIDC Desk gave no usable answer.' } };
}
