/**
 * A check of a document against the HAR 1.2 specification's required fields and types
 * (http://www.softwareishard.com/blog/har-12-spec/), written from the spec for the HAR export tests.
 * Not a test file itself. Throws an Error naming the path of the first violation.
 */

type Json = Record<string, unknown>;

function fail(path: string, what: string): never {
  throw new Error(`HAR 1.2: ${path} ${what}`);
}

function obj(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Json;
}

function arr(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value;
}

function str(o: Json, key: string, path: string, optional = false): void {
  if (optional && o[key] === undefined) return;
  if (typeof o[key] !== 'string') fail(`${path}.${key}`, 'must be a string');
}

function num(o: Json, key: string, path: string, optional = false): void {
  if (optional && o[key] === undefined) return;
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${key}`, 'must be a number');
}

/** Fields a HAR object may have: the spec's, plus custom ones starting with "_". */
function only(o: Json, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key) && !key.startsWith('_')) fail(`${path}.${key}`, 'is not a HAR 1.2 field (custom fields start with "_")');
  }
}

function nameValues(value: unknown, path: string, extra: readonly string[] = []): void {
  arr(value, path).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = obj(item, p);
    str(o, 'name', p);
    if (!extra.includes('value?')) str(o, 'value', p);
    else str(o, 'value', p, true);
    str(o, 'comment', p, true);
    only(o, ['name', 'value', 'comment', ...extra.map((e) => e.replace('?', ''))], p);
  });
}

function cookies(value: unknown, path: string): void {
  arr(value, path).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = obj(item, p);
    str(o, 'name', p);
    str(o, 'value', p);
    for (const k of ['path', 'domain', 'expires', 'comment']) str(o, k, p, true);
    only(o, ['name', 'value', 'path', 'domain', 'expires', 'httpOnly', 'secure', 'comment'], p);
  });
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function request(value: unknown, path: string): void {
  const o = obj(value, path);
  str(o, 'method', path);
  str(o, 'url', path);
  try {
    const url = new URL(o['url'] as string);
    if (url.hash !== '') fail(`${path}.url`, 'must not include a fragment');
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('HAR')) throw error;
    fail(`${path}.url`, 'must be an absolute URL');
  }
  str(o, 'httpVersion', path);
  cookies(o['cookies'], `${path}.cookies`);
  nameValues(o['headers'], `${path}.headers`);
  nameValues(o['queryString'], `${path}.queryString`);
  if (o['postData'] !== undefined) {
    const p = `${path}.postData`;
    const post = obj(o['postData'], p);
    str(post, 'mimeType', p);
    if (post['params'] === undefined && post['text'] === undefined) fail(p, 'needs params or text');
    if (post['params'] !== undefined) nameValues(post['params'], `${p}.params`, ['value?', 'fileName', 'contentType']);
    str(post, 'text', p, true);
    str(post, 'comment', p, true);
    only(post, ['mimeType', 'params', 'text', 'comment'], p);
  }
  num(o, 'headersSize', path);
  num(o, 'bodySize', path);
  str(o, 'comment', path, true);
  only(o, ['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'postData', 'headersSize', 'bodySize', 'comment'], path);
}

function response(value: unknown, path: string): void {
  const o = obj(value, path);
  num(o, 'status', path);
  str(o, 'statusText', path);
  str(o, 'httpVersion', path);
  cookies(o['cookies'], `${path}.cookies`);
  nameValues(o['headers'], `${path}.headers`);
  const p = `${path}.content`;
  const content = obj(o['content'], p);
  num(content, 'size', p);
  num(content, 'compression', p, true);
  str(content, 'mimeType', p);
  str(content, 'text', p, true);
  str(content, 'encoding', p, true);
  str(content, 'comment', p, true);
  only(content, ['size', 'compression', 'mimeType', 'text', 'encoding', 'comment'], p);
  str(o, 'redirectURL', path);
  num(o, 'headersSize', path);
  num(o, 'bodySize', path);
  str(o, 'comment', path, true);
  only(o, ['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize', 'comment'], path);
}

function timings(value: unknown, time: number, path: string): void {
  const o = obj(value, path);
  for (const k of ['send', 'wait', 'receive']) {
    num(o, k, path);
    if ((o[k] as number) < 0) fail(`${path}.${k}`, 'must not be negative');
  }
  for (const k of ['blocked', 'dns', 'connect', 'ssl']) {
    num(o, k, path, true);
    if (o[k] !== undefined && (o[k] as number) < 0 && o[k] !== -1) fail(`${path}.${k}`, 'must be -1 or not negative');
  }
  str(o, 'comment', path, true);
  only(o, ['blocked', 'dns', 'connect', 'send', 'wait', 'receive', 'ssl', 'comment'], path);
  // ssl is counted inside connect.
  const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].reduce((total, k) => total + (typeof o[k] === 'number' && (o[k] as number) >= 0 ? (o[k] as number) : 0), 0);
  if (Math.abs(sum - time) > 1e-6) fail(path, `must add up to the entry's time (${sum} != ${time})`);
}

/** Throws unless `doc` is a HAR 1.2 document with every required field of the right type. */
export function assertHar12(doc: unknown): void {
  const root = obj(doc, 'har');
  only(root, ['log'], 'har');
  const log = obj(root['log'], 'log');
  if (log['version'] !== '1.2') fail('log.version', 'must be "1.2"');
  const creator = obj(log['creator'], 'log.creator');
  str(creator, 'name', 'log.creator');
  str(creator, 'version', 'log.creator');
  str(creator, 'comment', 'log.creator', true);
  only(creator, ['name', 'version', 'comment'], 'log.creator');
  if (log['browser'] !== undefined) {
    const browser = obj(log['browser'], 'log.browser');
    str(browser, 'name', 'log.browser');
    str(browser, 'version', 'log.browser');
  }
  if (log['pages'] !== undefined) arr(log['pages'], 'log.pages');
  str(log, 'comment', 'log', true);
  only(log, ['version', 'creator', 'browser', 'pages', 'entries', 'comment'], 'log');
  arr(log['entries'], 'log.entries').forEach((item, i) => {
    const p = `log.entries[${i}]`;
    const e = obj(item, p);
    str(e, 'pageref', p, true);
    str(e, 'startedDateTime', p);
    if (!ISO_8601.test(e['startedDateTime'] as string)) fail(`${p}.startedDateTime`, 'must be an ISO 8601 date-time');
    num(e, 'time', p);
    request(e['request'], `${p}.request`);
    response(e['response'], `${p}.response`);
    obj(e['cache'], `${p}.cache`);
    timings(e['timings'], e['time'] as number, `${p}.timings`);
    str(e, 'serverIPAddress', p, true);
    str(e, 'connection', p, true);
    str(e, 'comment', p, true);
    only(e, ['pageref', 'startedDateTime', 'time', 'request', 'response', 'cache', 'timings', 'serverIPAddress', 'connection', 'comment'], p);
  });
}
