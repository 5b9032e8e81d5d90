/** Command-line parsing of `oidc-desk`: global options before the subcommand, then one typed command per subcommand (node:util parseArgs); every problem is a USAGE error. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DeskError } from '../core/errors.ts';

/** Token types `oidc-desk token` prints; never the refresh token. */
export type TokenType = 'access' | 'id';

/** How `login` gets the authorization URL to a browser. */
export type BrowserMode =
  | { readonly kind: 'system' }
  | { readonly kind: 'command'; readonly argv: readonly string[] }
  | { readonly kind: 'none' };

/** Options shared by `login` and `quickstart`. */
export interface LoginOptions {
  readonly browser: BrowserMode;
  /** Seconds to wait for the browser; undefined = the engine's default (10 min). */
  readonly timeoutSeconds: number | undefined;
}

/** What `login` takes for the flows without a browser (client credentials, password, Okta session token). */
export interface DirectLoginOptions {
  /** Read the client secret from stdin (and keep it in the keychain) before signing in. */
  readonly clientSecretStdin: boolean;
  readonly username: string | undefined;
  /** Read the password from stdin instead of the terminal. */
  readonly passwordStdin: boolean;
}

/** What `login` takes for a device flow profile (RFC 8628): only given when one of its options was. */
export interface DeviceLoginOptions {
  /** Leave the QR code out. */
  readonly noQr: boolean;
  /** Open the verification page in a browser here (`--browser-command` says which). */
  readonly open: boolean;
}

/** One parsed subcommand. */
export type Command =
  | { readonly kind: 'help'; readonly topic: string | undefined }
  | { readonly kind: 'version' }
  | {
    readonly kind: 'profile-add';
    readonly name: string;
    readonly issuer: string;
    readonly clientId: string;
    readonly scope: string | undefined;
    readonly redirect: string;
    readonly allowHttpLoopback: boolean;
    readonly params: Readonly<Record<string, string>>;
    /** `--flow`, `--client-auth`: left to the profile validator's defaults when absent. */
    readonly flow?: string;
    readonly clientAuth?: string;
    /** `--par auto|always|never` (as typed; the profile validator checks it) and `--dpop`. */
    readonly par?: string;
    readonly dpop?: boolean;
    /** `--response-type`, for the implicit and hybrid flows. */
    readonly responseType?: string;
  }
  | { readonly kind: 'profile-list'; readonly json: boolean }
  | { readonly kind: 'profile-remove'; readonly name: string }
  /** Sets a confidential client's secret, read from stdin (`--client-secret-stdin`) or the terminal without echo. */
  | { readonly kind: 'profile-secret'; readonly name: string; readonly stdin: boolean }
  /** Shows (making it when there is none, or with `fresh`) the private_key_jwt key pair's public JWK. */
  | { readonly kind: 'profile-key'; readonly name: string; readonly fresh: boolean; readonly alg: 'ES256' | 'RS256' | undefined; readonly json: boolean }
  /** `direct` only when an option of the flows without a browser was given. */
  | ({ readonly kind: 'login'; readonly profile: string; readonly direct?: DirectLoginOptions; readonly device?: DeviceLoginOptions } & LoginOptions)
  | { readonly kind: 'sessions'; readonly json: boolean }
  | { readonly kind: 'token'; readonly session: string; readonly type: TokenType; readonly json: boolean; readonly minValidSeconds: number | undefined }
  | { readonly kind: 'inspect'; readonly target: string; readonly json: boolean }
  | { readonly kind: 'refresh'; readonly session: string; readonly json: boolean }
  | { readonly kind: 'userinfo'; readonly session: string; readonly json: boolean }
  | { readonly kind: 'logout'; readonly session: string; readonly revoke: boolean }
  | { readonly kind: 'demo-idp'; readonly port: number | undefined; readonly stop: boolean }
  | ({ readonly kind: 'quickstart'; readonly dataDir: string | undefined } & LoginOptions)
  /** Browser mode: `port` undefined = any free port; `open` false = print the URL (with its token) instead of opening it. */
  | { readonly kind: 'ui'; readonly port: number | undefined; readonly open: boolean };

/** The whole command line: global options and the command. */
export interface ParsedArgs {
  /** Absolute; undefined = the desktop app's data directory. */
  readonly dataDir: string | undefined;
  readonly command: Command;
}

/** Longest `--timeout` accepted: one day. */
export const MAX_TIMEOUT_SECONDS = 86_400;

function usage(message: string): never {
  throw new DeskError('USAGE', message);
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The options of a command as help shows them: `--json, --type <value>`. */
function optionList(options: OptionSpec): string {
  return Object.entries(options).map(([name, spec]) => `--${name}${spec.type === 'string' ? ' <value>' : ''}`).join(', ');
}

/**
 * parseArgs in strict mode, its errors turned into USAGE errors that name the command. node's own
 * message quotes what was typed (it may be a pasted token), so only an option of the command is named.
 */
function parseCommand(command: string, args: readonly string[], options: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const text = error instanceof Error ? error.message.split('\n')[0] ?? '' : '';
    const quoted = /'--?([^' =]+)/.exec(text)?.[1];
    const known = quoted !== undefined && Object.hasOwn(options, quoted) ? { name: `--${quoted}`, spec: options[quoted] } : undefined;
    const help = `See "oidc-desk ${command} --help".`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted === 'data-dir') {
      usage(`--data-dir is a global option: give it before the subcommand, e.g. "oidc-desk --data-dir <dir> ${command} ...".`);
    }
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const list = Object.keys(options).length === 0 ? 'It takes no option but --help' : `Its options: ${optionList(options)}, --help`;
      usage(`"${command}" has no such option. ${list}. A value starting with "-" goes after "--", e.g. oidc-desk ${command} -- <value>.`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && known?.spec?.type === 'boolean') usage(`${known.name} takes no value. ${help}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && known !== undefined) {
      usage(`${known.name} needs a value (use ${known.name}=<value> for a value starting with "-").`);
    }
    usage(`"${command}": these arguments cannot be read. ${help}`);
  }
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

function one(command: string, positionals: readonly string[], what: string): string {
  if (positionals.length === 0) usage(`"${command}" needs ${what}. See "oidc-desk ${command} --help".`);
  if (positionals.length > 1) usage(`"${command}" takes one ${what.replace(/^(a|an|the) /, '')}, not ${positionals.length} arguments. See "oidc-desk ${command} --help".`);
  const value = positionals[0] ?? '';
  if (value.length === 0) usage(`"${command}" needs ${what}.`);
  return value;
}

function none(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) usage(`"${command}" takes no argument besides its options. See "oidc-desk ${command} --help".`);
}

/** `--param key=value` pairs (repeat the option for each pair). */
export function parseParams(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw) {
    const eq = pair.indexOf('=');
    if (eq <= 0) usage('--param takes key=value, e.g. --param prompt=consent; one --param is not of that form.');
    const key = pair.slice(0, eq);
    if (Object.hasOwn(out, key)) usage('Two --param options have the same key: give each key once.');
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** The most `token --min-valid` may ask for: a day. */
const MAX_MIN_VALID_SECONDS = 86_400;

/** A positive number of seconds, at most {@link MAX_TIMEOUT_SECONDS}. */
export function parseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_SECONDS) {
    usage(`--timeout takes a number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}.`);
  }
  return n;
}

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || n > 65_535) usage('--port takes a port number from 0 (any free port) to 65535.');
  return n;
}

/**
 * Splits a command string into argv without a shell: whitespace separates words; '...' is literal;
 * "..." groups, with \" \\ \$ \` escaped inside; outside quotes a backslash escapes a quote, a backslash
 * or whitespace and is literal otherwise (so C:\Tools\browser.exe survives). No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) usage('--browser-command has an unterminated single quote.');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      let closed = false;
      while (i < line.length) {
        const d = line.charAt(i);
        if (d === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line.charAt(i + 1))) {
          word += line.charAt(i + 1);
          i += 2;
        } else {
          word += d;
          i += 1;
        }
      }
      if (!closed) usage('--browser-command has an unterminated double quote.');
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length && /["'\\\s]/.test(line.charAt(i + 1))) {
      word += line.charAt(i + 1);
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const LOGIN_OPTIONS: OptionSpec = {
  'browser-command': { type: 'string' },
  'no-open': { type: 'boolean' },
  timeout: { type: 'string' },
};

function loginOptions(values: Values): LoginOptions {
  const command = str(values, 'browser-command');
  const noOpen = flag(values, 'no-open');
  if (command !== undefined && noOpen) usage('Give either --browser-command or --no-open, not both.');
  let browser: BrowserMode = { kind: 'system' };
  if (command !== undefined) {
    const argv = splitCommandLine(command);
    if (argv.length === 0) usage('--browser-command is empty: give the program to run, e.g. --browser-command "firefox --new-window".');
    browser = { kind: 'command', argv };
  } else if (noOpen) {
    browser = { kind: 'none' };
  }
  return { browser, timeoutSeconds: parseTimeout(str(values, 'timeout')) };
}

/** `--par <mode>` and `--dpop` of `profile add`, when given. */
function senderConstraintOptions(values: Values): { par?: string; dpop?: boolean } {
  const par = str(values, 'par');
  return { ...(par === undefined ? {} : { par }), ...(flag(values, 'dpop') ? { dpop: true } : {}) };
}

function help(topic: string): Command {
  return { kind: 'help', topic };
}

function parseProfileCommand(args: readonly string[]): Command {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return help('profile');
  if (sub === 'add') {
    const { values, positionals } = parseCommand('profile add', rest, {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      scope: { type: 'string' },
      redirect: { type: 'string' },
      'allow-http-loopback': { type: 'boolean' },
      param: { type: 'string', multiple: true },
      flow: { type: 'string' },
      'client-auth': { type: 'string' },
      par: { type: 'string' },
      dpop: { type: 'boolean' },
      'response-type': { type: 'string' },
    });
    if (flag(values, 'help')) return help('profile');
    const name = one('profile add', positionals, 'a profile name');
    const issuer = str(values, 'issuer');
    const clientId = str(values, 'client-id');
    if (issuer === undefined) usage('"profile add" needs --issuer <url>, e.g. --issuer https://dev-123.okta.com/oauth2/default.');
    if (clientId === undefined) usage('"profile add" needs --client-id <id> (the native app\'s client id at the provider).');
    const params = values['param'];
    const flow = str(values, 'flow');
    const clientAuth = str(values, 'client-auth');
    const responseType = str(values, 'response-type');
    return {
      kind: 'profile-add',
      name,
      issuer,
      clientId,
      scope: str(values, 'scope'),
      redirect: str(values, 'redirect') ?? 'loopback',
      allowHttpLoopback: flag(values, 'allow-http-loopback'),
      params: parseParams(Array.isArray(params) ? params.filter((p): p is string => typeof p === 'string') : []),
      ...(flow === undefined ? {} : { flow }),
      ...(clientAuth === undefined ? {} : { clientAuth }),
      ...senderConstraintOptions(values),
      ...(responseType === undefined ? {} : { responseType }),
    };
  }
  if (sub === 'secret') {
    const { values, positionals } = parseCommand('profile secret', rest, { 'client-secret-stdin': { type: 'boolean' } });
    if (flag(values, 'help')) return help('profile');
    return { kind: 'profile-secret', name: one('profile secret', positionals, 'a profile name'), stdin: flag(values, 'client-secret-stdin') };
  }
  if (sub === 'key') {
    const { values, positionals } = parseCommand('profile key', rest, { new: { type: 'boolean' }, alg: { type: 'string' }, json: { type: 'boolean' } });
    if (flag(values, 'help')) return help('profile');
    const alg = str(values, 'alg');
    if (alg !== undefined && alg !== 'ES256' && alg !== 'RS256') usage('--alg is ES256 or RS256.');
    if (alg !== undefined && !flag(values, 'new')) usage('--alg chooses the algorithm of a new key pair: give it with --new.');
    return { kind: 'profile-key', name: one('profile key', positionals, 'a profile name'), fresh: flag(values, 'new'), alg, json: flag(values, 'json') };
  }
  if (sub === 'list') {
    const { values, positionals } = parseCommand('profile list', rest, { json: { type: 'boolean' } });
    if (flag(values, 'help')) return help('profile');
    none('profile list', positionals);
    return { kind: 'profile-list', json: flag(values, 'json') };
  }
  if (sub === 'remove') {
    const { values, positionals } = parseCommand('profile remove', rest, {});
    if (flag(values, 'help')) return help('profile');
    return { kind: 'profile-remove', name: one('profile remove', positionals, 'a profile name') };
  }
  usage('Unknown "profile" subcommand: use add, list, remove, secret or key.');
}

const COMMANDS = ['profile', 'login', 'sessions', 'token', 'inspect', 'refresh', 'userinfo', 'logout', 'demo-idp', 'quickstart', 'ui', 'help'] as const;

function parseSubcommand(name: string, args: readonly string[]): Command {
  switch (name) {
    case 'help':
      return { kind: 'help', topic: args[0] };
    case 'profile':
      return parseProfileCommand(args);
    case 'login': {
      const { values, positionals } = parseCommand('login', args, { ...LOGIN_OPTIONS, 'client-secret-stdin': { type: 'boolean' }, username: { type: 'string' }, 'password-stdin': { type: 'boolean' }, 'no-qr': { type: 'boolean' }, open: { type: 'boolean' } });
      if (flag(values, 'help')) return help('login');
      const direct: DirectLoginOptions = { clientSecretStdin: flag(values, 'client-secret-stdin'), username: str(values, 'username'), passwordStdin: flag(values, 'password-stdin') };
      if (direct.clientSecretStdin && direct.passwordStdin) usage('Only one of --client-secret-stdin and --password-stdin can read stdin: set the client secret first with "oidc-desk profile secret <profile> --client-secret-stdin".');
      if (direct.passwordStdin && direct.username === undefined) usage('--password-stdin goes with --username <name>.');
      const given = direct.clientSecretStdin || direct.passwordStdin || direct.username !== undefined;
      const device: DeviceLoginOptions = { noQr: flag(values, 'no-qr'), open: flag(values, 'open') };
      if (device.open && flag(values, 'no-open')) usage('Give either --open or --no-open, not both.');
      return { kind: 'login', profile: one('login', positionals, 'a profile name'), ...(given ? { direct } : {}), ...(device.noQr || device.open ? { device } : {}), ...loginOptions(values) };
    }
    case 'sessions': {
      const { values, positionals } = parseCommand('sessions', args, { json: { type: 'boolean' } });
      if (flag(values, 'help')) return help('sessions');
      none('sessions', positionals);
      return { kind: 'sessions', json: flag(values, 'json') };
    }
    case 'token': {
      const { values, positionals } = parseCommand('token', args, { type: { type: 'string' }, json: { type: 'boolean' }, 'min-valid': { type: 'string' } });
      if (flag(values, 'help')) return help('token');
      const type = str(values, 'type') ?? 'access';
      if (type === 'refresh') usage('oidc-desk never prints a refresh token: it stays in the OS keychain. Use --type access or --type id.');
      if (type !== 'access' && type !== 'id') usage('--type is access or id.');
      const minValid = str(values, 'min-valid');
      if (minValid !== undefined && (!/^\d{1,6}$/.test(minValid) || Number(minValid) > MAX_MIN_VALID_SECONDS)) usage(`--min-valid takes a whole number of seconds from 0 to ${MAX_MIN_VALID_SECONDS}.`);
      return { kind: 'token', session: one('token', positionals, 'a session id'), type, json: flag(values, 'json'), minValidSeconds: minValid === undefined ? undefined : Number(minValid) };
    }
    case 'inspect': {
      const { values, positionals } = parseCommand('inspect', args, { json: { type: 'boolean' } });
      if (flag(values, 'help')) return help('inspect');
      return { kind: 'inspect', target: one('inspect', positionals, 'a session id or a JWT'), json: flag(values, 'json') };
    }
    case 'refresh':
    case 'userinfo': {
      const { values, positionals } = parseCommand(name, args, { json: { type: 'boolean' } });
      if (flag(values, 'help')) return help(name);
      return { kind: name, session: one(name, positionals, 'a session id'), json: flag(values, 'json') };
    }
    case 'logout': {
      const { values, positionals } = parseCommand('logout', args, { 'no-revoke': { type: 'boolean' } });
      if (flag(values, 'help')) return help('logout');
      return { kind: 'logout', session: one('logout', positionals, 'a session id'), revoke: !flag(values, 'no-revoke') };
    }
    case 'demo-idp': {
      const { values, positionals } = parseCommand('demo-idp', args, { port: { type: 'string' }, stop: { type: 'boolean' } });
      if (flag(values, 'help')) return help('demo-idp');
      none('demo-idp', positionals);
      const port = parsePort(str(values, 'port'));
      const stop = flag(values, 'stop');
      if (stop && port !== undefined) usage('--stop takes no --port: it stops the demo provider of the data directory.');
      return { kind: 'demo-idp', port, stop };
    }
    case 'quickstart': {
      // Also takes --data-dir after the subcommand, for `npm run demo -- --data-dir <dir>`.
      const { values, positionals } = parseCommand('quickstart', args, { ...LOGIN_OPTIONS, 'data-dir': { type: 'string' } });
      if (flag(values, 'help')) return help('quickstart');
      none('quickstart', positionals);
      const dataDir = str(values, 'data-dir');
      return { kind: 'quickstart', dataDir: dataDir === undefined ? undefined : absoluteDir(dataDir), ...loginOptions(values) };
    }
    case 'ui': {
      const { values, positionals } = parseCommand('ui', args, { port: { type: 'string' }, 'no-open': { type: 'boolean' } });
      if (flag(values, 'help')) return help('ui');
      none('ui', positionals);
      return { kind: 'ui', port: parsePort(str(values, 'port')), open: !flag(values, 'no-open') };
    }
    default:
      usage(`Unknown command: the commands are ${COMMANDS.join(', ')}. Run "oidc-desk --help" for more.`);
  }
}

function absoluteDir(value: string): string {
  if (value.trim() === '') usage('--data-dir needs a directory.');
  return resolve(value);
}

/**
 * Parses `oidc-desk [--data-dir <dir>] <command> [args]`. Global options come before the command.
 * Throws DeskError `USAGE` with a message that says what to type instead.
 */
export function parseArgv(argv: readonly string[]): ParsedArgs {
  let dataDir: string | undefined;
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (arg === '--data-dir') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) usage('--data-dir needs a directory (use --data-dir=<dir> for a name starting with "-").');
      dataDir = absoluteDir(value);
      i += 2;
    } else if (arg.startsWith('--data-dir=')) {
      dataDir = absoluteDir(arg.slice('--data-dir='.length));
      i += 1;
    } else if (arg === '--help' || arg === '-h') {
      return { dataDir, command: { kind: 'help', topic: undefined } };
    } else if (arg === '--version' || arg === '-V') {
      return { dataDir, command: { kind: 'version' } };
    } else if (arg.startsWith('-')) {
      usage('Unknown global option. Global options (before the command): --data-dir <dir>, --help, --version.');
    } else {
      break;
    }
  }
  const name = argv[i];
  if (name === undefined) usage('No command given. Run "oidc-desk --help" for the list.');
  const command = parseSubcommand(name, argv.slice(i + 1));
  if (command.kind === 'quickstart' && command.dataDir !== undefined) {
    if (dataDir !== undefined && dataDir !== command.dataDir) usage('--data-dir is given twice with different directories.');
    return { dataDir: command.dataDir, command };
  }
  return { dataDir, command };
}

/**
 * The values typed into a command (names, ids, a JWT, URLs, option values): an error never repeats them,
 * since any of them may be a token pasted into the wrong place. The data directory is not among them.
 */
export function typedValues(command: Command): string[] {
  const browser = (options: LoginOptions): readonly string[] => (options.browser.kind === 'command' ? options.browser.argv : []);
  switch (command.kind) {
    case 'profile-add': {
      const origin = URL.canParse(command.issuer) ? new URL(command.issuer).origin : 'null';
      return [
        command.name, command.issuer, ...(origin === 'null' ? [] : [origin]), command.clientId, command.scope ?? '', command.redirect,
        ...Object.entries(command.params).flat(),
      ];
    }
    case 'profile-remove':
    case 'profile-secret':
    case 'profile-key': return [command.name];
    case 'login': return [command.profile, command.direct?.username ?? '', ...browser(command)];
    case 'quickstart': return [...browser(command)];
    case 'token':
    case 'refresh':
    case 'userinfo':
    case 'logout': return [command.session];
    case 'inspect': return [command.target];
    default: return [];
  }
}

/** Help texts, by topic; `undefined` = the overview. */
export function helpText(topic: string | undefined): string {
  const overview = `oidc-desk: OAuth 2.0 / OpenID Connect sessions from the terminal (native-client flows, system browser).

Usage: oidc-desk [--data-dir <dir>] <command> [options]

Commands:
  profile add <name> --issuer <url> --client-id <id> [--scope "<scopes>"] [--redirect loopback|<loopback-uri>|<custom-uri>]
                     [--allow-http-loopback] [--param key=value ...] [--par auto|always|never] [--dpop]
  profile list [--json]
  profile remove <name>
  profile secret <name> [--client-secret-stdin]
  profile key <name> [--new [--alg ES256|RS256]] [--json]
  login <profile> [--browser-command "<cmd>"] [--no-open] [--timeout <seconds>]
        [--client-secret-stdin] [--username <name> [--password-stdin]] [--no-qr] [--open]
  sessions [--json]
  token <session> [--type access|id] [--min-valid <seconds>] [--json]
  inspect <session|jwt> [--json]
  refresh <session> [--json]
  userinfo <session> [--json]
  logout <session> [--no-revoke]
  demo-idp [--port <n>] [--stop]
  quickstart [--browser-command "<cmd>"] [--no-open] [--timeout <seconds>]
  ui [--port <n>] [--no-open]

Global options (before the command):
  --data-dir <dir>   data directory (default: the desktop app's)
Environment:
  OIDC_DESK_KEYCHAIN_SERVICE   keychain service name (default "OIDC Desk")
  OIDC_DESK_DEMO_IDP_PORT      preferred port of the demo provider (default 9400)

Exit codes: 0 success, 2 usage, 3 protocol or validation, 4 network, 5 keychain.
Errors go to stderr as "error <CODE>: <message>".`;
  const topics: Record<string, string> = {
    profile: `oidc-desk profile add <name> --issuer <url> --client-id <id> [--scope "<scopes>"] [--redirect loopback|<loopback-uri>|<custom-uri>] [--allow-http-loopback] [--param key=value ...] [--flow <flow> [--client-auth <method>] [--response-type "<type>"]] [--par auto|always|never] [--dpop]
oidc-desk profile list [--json]
oidc-desk profile remove <name>
oidc-desk profile secret <name> [--client-secret-stdin]
oidc-desk profile key <name> [--new [--alg ES256|RS256]] [--json]

"profile add" stores the profile without contacting the provider. The redirect defaults to loopback
(http://127.0.0.1:<free port>/callback). For a provider that compares the port, fix it with a loopback URI:
--redirect http://127.0.0.1:8765/callback (or http://[::1]:<port>/<path>; never localhost), registered
exactly so. --scope defaults to "openid profile email offline_access" ("openid profile email" for the implicit
flow, which gets no refresh token; none for client_credentials).
Repeat --param for each extra authorization parameter (e.g. --param prompt=consent).
--allow-http-loopback allows an http issuer on 127.0.0.1/[::1]/localhost (local test providers).
--flow authorization_code (default: a person signs in through the browser), client_credentials (a service,
no user; needs a confidential client), password (legacy resource owner password grant: RFC 9700 says it
must not be used; trusted first-party clients only), okta_session_token (Okta only, classic engine: the
username and password go to Okta's Authentication API, then the code flow with PKCE runs without a browser;
a public client, its redirect registered at Okta as for the code flow), device_code (the device authorization
grant, RFC 8628: for an input-constrained device, or to sign in on another device, a phone, by entering a
short code there), implicit or hybrid (legacy, see --response-type). --client-auth none (default for the
browser, password, Okta session token and device flows), client_secret_basic (default for
client_credentials), client_secret_post or private_key_jwt.
A client_credentials profile's --scope defaults to none (the provider's default scopes).
--flow implicit or hybrid (legacy: tokens come in the browser's redirect, RFC 9700 says not to; prefer the
default) needs --response-type: "id_token" or "id_token token" (implicit), "code id_token", "code token" or
"code id_token token" (hybrid), and the openid scope. On loopback the response comes as a form post
(response_mode=form_post), on a custom scheme in the fragment.
"profile secret" reads the client secret from the terminal without echo (or stdin with --client-secret-stdin)
and keeps it in the OS keychain only, bound to the issuer and client id; it is never shown again.
"profile key" prints the public JWK (and its thumbprint) of the private_key_jwt key pair, making one (ES256
unless --alg RS256) when there is none or with --new; register it at the provider. The private key stays in
the OS keychain.
--par (authorization code flow): auto (default) pushes the authorization request to the provider first
(RFC 9126) when its metadata requires it, always pushes it, never does not (refused, PAR_REQUIRED, when the
provider requires it). A pushed request leaves only client_id and request_uri in the browser's URL.
--dpop (authorization code flow) binds the session's tokens to a key pair of its own (DPoP, RFC 9449): the
private key stays in the OS keychain beside the refresh token, and every token request and userinfo call
carries a proof signed with it.`,
    login: `oidc-desk login <profile> [--browser-command "<cmd>"] [--no-open] [--timeout <seconds>] [--no-qr] [--open]

Signs in through the system browser with a loopback redirect and prints the new session id on stdout.
The system browser is opened through a redirect file only you can read, so the authorization URL is in
no process's arguments. --browser-command runs <cmd> (split like a shell would, but run without one) with
the authorization URL as its last argument; --no-open prints the URL on stderr instead. --timeout bounds
the wait (exit 3).
A client_credentials profile signs in without a browser (the client secret or key from the keychain;
--client-secret-stdin sets the secret first). A password profile (legacy, see "profile --help") takes
--username and the password from the terminal without echo, or from stdin with --password-stdin; the
password is sent once and kept nowhere. An okta_session_token profile takes them the same way and sends the
password once to Okta's Authentication API (no multi-factor sign-in this way).
"login demo" starts the embedded demo provider when needed and keeps the "demo" profile pointed at it.
A device_code profile (RFC 8628) opens no browser here: it prints the address to open on another device
(a phone, a computer with a browser), the code to enter there and a QR code of the address with the code
(--no-qr leaves it out), all on stderr, and waits while the provider is polled; Ctrl-C cancels. --open
opens that address in a browser here after all (through --browser-command when given).`,
    sessions: 'oidc-desk sessions [--json]\n\nLists the sessions of the data directory (no network, no keychain).',
    token: `oidc-desk token <session> [--type access|id] [--min-valid <seconds>] [--json]

Prints only the token (e.g. $(oidc-desk token s-1234abcd)), from the token cache shared with the desktop
app while it is valid for at least 60 more seconds (--min-valid asks for more); otherwise it is refreshed
first. A refresh token is never printed.`,
    inspect: `oidc-desk inspect <session|jwt> [--json]

Prints the verification report of the session's ID token, or of a JWT given on the command line
(its signature is verified when its iss matches a profile's issuer). Exit 3 when a check fails.`,
    refresh: 'oidc-desk refresh <session> [--json]\n\nRefreshes the session now (refresh token rotation; the new one goes to the keychain first).',
    userinfo: 'oidc-desk userinfo <session> [--json]\n\nCalls the userinfo endpoint and compares its claims with the ID token\'s.',
    logout: `oidc-desk logout <session> [--no-revoke]

Removes the session and its keychain entry, then revokes its tokens at the provider (RFC 7009) unless
--no-revoke. Exit 0; stderr says when the revocation is pending (provider unreachable).`,
    'demo-idp': `oidc-desk demo-idp [--port <n>] [--stop]

Runs the embedded demo provider in the foreground and prints its issuer; Ctrl-C stops it. Without --port
it reuses its last port, else 9400 (OIDC_DESK_DEMO_IDP_PORT), else any free port. --stop stops the one
running in the background for this data directory. Users: alice / alice-password, bob / bob-password.`,
    quickstart: `oidc-desk quickstart [--browser-command "<cmd>"] [--no-open] [--timeout <seconds>]

"login demo" then "inspect" of the new session: signs in to the demo provider (started when needed) and
prints the session and its verified ID token report. This is "npm run demo".`,
    ui: `oidc-desk ui [--port <n>] [--no-open]

Browser mode: serves the OIDC Desk window to a browser on this machine, at http://127.0.0.1:<port>/
(any free port unless --port), and opens the system browser on it; Ctrl-C stops it. The URL carries a
connection token, new at every start: the browser gets it through a redirect file only you can read (it is
in no process's arguments), then keeps a cookie instead. --no-open prints the URL with its token on stderr.
On a remote machine: run "oidc-desk ui --port <n> --no-open" there, "ssh -L <n>:127.0.0.1:<n> <host>" here
(the same port on both ends), and open the printed URL here. Sign-ins from the page need a profile with a
loopback redirect.`,
  };
  if (topic === undefined) return overview;
  return topics[topic] ?? overview;
}
