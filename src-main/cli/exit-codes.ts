/** The exit statuses of `oidc-desk` (a public contract) and the mapping from error categories to them. */
import { isDeskError, type ErrorCategory } from '../core/errors.ts';

/** Exit statuses: 0 success, 2 usage, 3 protocol or validation, 4 network, 5 keychain. */
export const EXIT = {
  OK: 0,
  USAGE: 2,
  PROTOCOL: 3,
  NETWORK: 4,
  KEYCHAIN: 5,
} as const;

/** An exit status of the contract. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CATEGORY: Readonly<Record<ErrorCategory, ExitCode>> = {
  usage: EXIT.USAGE,
  protocol: EXIT.PROTOCOL,
  network: EXIT.NETWORK,
  keychain: EXIT.KEYCHAIN,
};

/** The exit status for an error: its DeskError category, else 3 (an unexpected failure is reported as INTERNAL). */
export function exitCodeFor(error: unknown): ExitCode {
  return isDeskError(error) ? BY_CATEGORY[error.category] : EXIT.PROTOCOL;
}
