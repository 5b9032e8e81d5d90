/** A sign-in whose request was pushed (PAR, RFC 9126): what its link carries, until when it works, and the guard that keeps an expired one from being opened. */
import type { MouseEvent } from 'react';
import { Countdown } from '../components/countdown.tsx';
import { formatDateTime } from '../format/time.ts';

export type Props = {
  /** When the provider stops taking the request_uri, ms since the epoch. */
  readonly until: number;
};

/** The note under a pushed sign-in's link. */
export function PushedRequestNote({ until }: Props) {
  return (
    <p className="note" data-pushed="true">
      The request was pushed to the provider first (PAR, RFC 9126): the sign-in page’s address carries only the client id and a one-time reference,
      which works once, until {formatDateTime(until)} (<Countdown until={until} precision="second" pastPrefix="expired" />). Past that, start the sign-in again.
    </p>
  );
}

/**
 * The click handler of a pushed sign-in's link: past the expiry, the link is not followed (the provider
 * would show an error page) and `onExpired` ends the sign-in, which then reads `PAR_REQUEST_EXPIRED`.
 */
export function guardPushedLink(until: number | undefined, onExpired: () => void): ((event: MouseEvent<HTMLAnchorElement>) => void) | undefined {
  if (until === undefined) return undefined;
  return (event) => {
    if (Date.now() < until) return;
    event.preventDefault();
    onExpired();
  };
}
