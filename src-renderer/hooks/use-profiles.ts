/** The saved profiles, listed on mount and again when a view changed them. */
import type { ErrorView, ProfileView } from '../../src-main/core/contract.ts';
import { useDeskQuery } from './use-desk-query.ts';

/** What {@link useProfiles} returns. */
export interface Profiles {
  readonly list: readonly ProfileView[];
  readonly loaded: boolean;
  readonly error: ErrorView | undefined;
  reload(): void;
}

/** The profiles of this data directory. */
export function useProfiles(): Profiles {
  const query = useDeskQuery('listProfiles', 'profiles');
  const result = query.result;
  return {
    list: result?.ok === true ? result.value : [],
    loaded: result !== undefined,
    error: result?.ok === false ? result.error : undefined,
    reload: query.reload,
  };
}
