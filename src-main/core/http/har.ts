/**
 * The exchange timeline as an HTTP Archive (HAR 1.2) document, from the already-masked exchanges:
 * nothing in it is a raw value the log did not already mask.
 * @module
 */
import type { Exchange } from './exchange-log.ts';

/** A name/value pair of HAR (headers, query string, form parameters). */
export interface HarNameValue {
  readonly name: string;
  readonly value: string;
}

/** One HAR entry: a request, its response (status 0 when none came), timings. */
export interface HarEntry {
  readonly startedDateTime: string;
  readonly time: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly httpVersion: string;
    readonly cookies: readonly HarNameValue[];
    readonly headers: readonly HarNameValue[];
    readonly queryString: readonly HarNameValue[];
    readonly postData?: { readonly mimeType: string; readonly params: readonly HarNameValue[]; readonly text: string };
    readonly headersSize: -1;
    readonly bodySize: number;
  };
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly httpVersion: string;
    readonly cookies: readonly HarNameValue[];
    readonly headers: readonly HarNameValue[];
    readonly content: { readonly size: number; readonly mimeType: string; readonly text: string };
    readonly redirectURL: string;
    readonly headersSize: -1;
    readonly bodySize: number;
    /** For a failed exchange: the error code. */
    readonly comment?: string;
  };
  readonly cache: Record<string, never>;
  readonly timings: { readonly send: number; readonly wait: number; readonly receive: number };
  /** OIDC Desk's own fields (HAR custom fields start with `_`): the exchange id and what it was made for. */
  readonly _oidcDesk: { readonly exchangeId: number; readonly sessionId?: string; readonly flowId?: string };
}

/** A HAR 1.2 document. */
export interface HarDocument {
  readonly log: {
    readonly version: '1.2';
    readonly creator: { readonly name: 'OIDC Desk'; readonly version: string };
    readonly entries: readonly HarEntry[];
    readonly comment: string;
  };
}

/** Node's fetch (undici) speaks HTTP/1.1 to the providers. */
const HTTP_VERSION = 'HTTP/1.1';
const MASKING_NOTE = 'Exported by OIDC Desk: tokens, codes, verifiers, state, nonce, cookies and credentials are masked as ***masked-<first 8 hex of their SHA-256>.';

function pairs(record: Readonly<Record<string, string>> | undefined): HarNameValue[] {
  return Object.entries(record ?? {}).map(([name, value]) => ({ name, value }));
}

function queryOf(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function postData(exchange: Exchange): HarEntry['request']['postData'] {
  if (exchange.requestBody === '') return undefined;
  const mimeType = exchange.requestHeaders['content-type'] ?? '';
  const form = mimeType.toLowerCase().startsWith('application/x-www-form-urlencoded');
  const params = form ? [...new URLSearchParams(exchange.requestBody)].map(([name, value]) => ({ name, value })) : [];
  return { mimeType, params, text: exchange.requestBody };
}

function entry(exchange: Exchange): HarEntry {
  const time = Math.max(0, exchange.durationMs);
  const failed = exchange.status === undefined;
  const body = postData(exchange);
  const context = exchange.context;
  return {
    startedDateTime: new Date(exchange.startedAt).toISOString(),
    time,
    request: {
      method: exchange.method,
      url: exchange.url,
      httpVersion: HTTP_VERSION,
      cookies: [],
      headers: pairs(exchange.requestHeaders),
      queryString: queryOf(exchange.url),
      ...(body === undefined ? {} : { postData: body }),
      headersSize: -1,
      bodySize: exchange.requestBytes ?? -1,
    },
    response: {
      status: exchange.status ?? 0,
      statusText: exchange.statusText ?? '',
      httpVersion: failed ? '' : HTTP_VERSION,
      cookies: [],
      headers: pairs(exchange.responseHeaders),
      content: {
        size: exchange.responseBytes ?? 0,
        mimeType: exchange.responseHeaders?.['content-type'] ?? 'x-unknown',
        text: exchange.responseBody ?? '',
      },
      redirectURL: exchange.responseHeaders?.['location'] ?? '',
      headersSize: -1,
      bodySize: exchange.responseBytes ?? -1,
      ...(failed ? { comment: exchange.errorCode ?? 'no response' } : {}),
    },
    cache: {},
    // Only the whole duration is measured: it is all "wait".
    timings: { send: 0, wait: time, receive: 0 },
    _oidcDesk: {
      exchangeId: exchange.id,
      ...(context?.sessionId === undefined ? {} : { sessionId: context.sessionId }),
      ...(context?.flowId === undefined ? {} : { flowId: context.flowId }),
    },
  };
}

/**
 * The exchanges as a HAR 1.2 document, oldest first. A pure function of the exchanges, which are
 * masked when logged; an exchange that got no response has status 0 and its error code as comment.
 * @see http://www.softwareishard.com/blog/har-12-spec/
 */
export function exchangesToHar(exchanges: readonly Exchange[], creator: { readonly version: string }): HarDocument {
  return {
    log: {
      version: '1.2',
      creator: { name: 'OIDC Desk', version: creator.version },
      entries: [...exchanges].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id).map(entry),
      comment: MASKING_NOTE,
    },
  };
}
