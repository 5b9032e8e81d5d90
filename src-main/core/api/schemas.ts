/**
 * One schema per operation of the API: every argument that crosses a boundary (IPC, the browser-mode
 * server, argv) is `unknown` until its operation's schema has narrowed it. The same table serves every
 * front. Refusals name the field and what was expected, never the value (it may be a pasted token).
 * @module
 */
import * as v from 'valibot';
import type { DeskOperation } from '../contract.ts';
import { DeskError } from '../errors.ts';
import { HYBRID_RESPONSE_TYPES, IMPLICIT_RESPONSE_TYPES } from '../front-channel-flows.ts';

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** Nothing, or an empty object (what JSON and IPC make of "no argument"). */
const NoInput = v.union([v.undefined(), v.null(), v.strictObject({})]);
// Generous bounds for names and ids: an unknown one (a pasted token, say) is answered NOT_FOUND by the
// lookup, a malformed profile field PROFILE_INVALID by the profile validator, not USAGE here.
const SessionId = text(8192);
const ProfileName = text(8192);
const Params = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(8192)), v.pipe(v.string(), v.maxLength(8192))),
  v.check((r) => Object.keys(r).length <= 32, 'at most 32 parameters'),
);

/**
 * The shape of a profile; its rules (issuer form, reverse-domain schemes, scope characters, name form) are
 * the profile validator's, which answers PROFILE_INVALID and friends with messages that say what to fix.
 */
const ProfileInput = v.strictObject({
  name: text(8192),
  issuer: text(8192),
  clientId: text(8192),
  scopes: v.exactOptional(v.union([v.pipe(v.string(), v.maxLength(8192)), v.pipe(v.array(text(8192)), v.maxLength(64))])),
  // null, as a view shows it for a flow that uses no redirect: the default.
  redirect: v.exactOptional(v.nullable(text(8192))),
  allowHttpLoopback: v.exactOptional(v.boolean()),
  extraParams: v.exactOptional(Params),
  flow: v.exactOptional(text(64)),
  clientAuth: v.exactOptional(text(64)),
  par: v.exactOptional(text(16)),
  dpop: v.exactOptional(v.boolean()),
  // Which flow may take which response type is the profile validator's to say.
  responseType: v.exactOptional(v.picklist([...IMPLICIT_RESPONSE_TYPES, ...HYBRID_RESPONSE_TYPES])),
});

const SignInOptions = v.strictObject({
  prompt: v.exactOptional(text(64)),
  loginHint: v.exactOptional(text(512)),
  maxAge: v.exactOptional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10 * 365 * 86_400))),
  acrValues: v.exactOptional(text(512)),
  extraParams: v.exactOptional(Params),
});

const TokenKind = v.picklist(['access', 'refresh']);

/** The input schema of each operation. */
export const OPERATION_SCHEMAS = {
  listProfiles: NoInput,
  addProfile: v.strictObject({ profile: ProfileInput }),
  updateProfile: v.strictObject({ name: ProfileName, profile: ProfileInput }),
  removeProfile: v.strictObject({ name: ProfileName }),
  checkProvider: v.union([
    v.strictObject({ profile: ProfileName }),
    v.strictObject({ issuer: text(8192), clientId: text(8192), allowHttpLoopback: v.exactOptional(v.boolean()) }),
  ]),
  startSignIn: v.strictObject({
    profile: ProfileName,
    options: v.exactOptional(SignInOptions),
    timeoutSeconds: v.exactOptional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(86_400))),
    username: v.exactOptional(text(512)),
    password: v.exactOptional(text(4096)),
  }),
  cancelSignIn: v.strictObject({ flowId: text(64), reason: v.exactOptional(v.picklist(['request-uri-expired'])) }),
  listSessions: NoInput,
  getSession: v.strictObject({ sessionId: SessionId }),
  refreshSession: v.strictObject({ sessionId: SessionId }),
  getUserinfo: v.strictObject({ sessionId: SessionId }),
  introspectToken: v.strictObject({ sessionId: SessionId, token: TokenKind }),
  revokeToken: v.strictObject({ sessionId: SessionId, token: TokenKind }),
  signOut: v.strictObject({ sessionId: SessionId, revoke: v.exactOptional(v.boolean()), endSession: v.exactOptional(v.boolean()) }),
  revealToken: v.strictObject({
    sessionId: SessionId,
    type: v.picklist(['access', 'id']),
    minValiditySeconds: v.exactOptional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400))),
  }),
  inspectJwt: v.union([v.strictObject({ sessionId: SessionId }), v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(64 * 1024)) })]),
  sessionTimeline: v.strictObject({ sessionId: SessionId }),
  exportHar: v.strictObject({ sessionId: SessionId }),
  keychainStatus: NoInput,
  startupProblems: NoInput,
  demoProvider: NoInput,
  ensureDemoProvider: NoInput,
  schemeStatus: v.strictObject({ profile: ProfileName }),
  testScheme: v.strictObject({ profile: ProfileName }),

  clientCredential: v.strictObject({ profile: ProfileName }),
  setClientSecret: v.strictObject({ profile: ProfileName, secret: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }),
  generateClientKey: v.strictObject({ profile: ProfileName, alg: v.exactOptional(v.picklist(['ES256', 'RS256'])) }),
} as const satisfies Record<DeskOperation, v.GenericSchema>;

/** Every operation a front may call, in a stable order (a preload or a browser-mode client exposes these). */
export const DESK_OPERATIONS = Object.keys(OPERATION_SCHEMAS) as DeskOperation[];

/** The narrowed input of an operation. */
export type OperationInput<K extends DeskOperation> = v.InferOutput<(typeof OPERATION_SCHEMAS)[K]>;

/** Where in the input a problem is, as `field.sub[2]`, or "the input". */
function where(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((p) => (typeof p.key === 'number' ? `[${p.key}]` : String(p.key))).join('.').replaceAll('.[', '[');
  return path ? `"${path.slice(0, 80)}"` : 'the input';
}

/**
 * Narrows an operation's input, or throws DeskError `USAGE` naming the field and what it should be.
 * The message never contains the value given.
 */
export function parseInput<K extends DeskOperation>(operation: K, input: unknown): OperationInput<K> {
  const schema: v.GenericSchema = OPERATION_SCHEMAS[operation];
  const result = v.safeParse(schema, input);
  if (result.success) return result.output as OperationInput<K>;
  const issue = result.issues[0];
  const deepest = issue.issues?.[0] ?? issue;
  const field = where(deepest);
  let problem: string;
  if (schema === NoInput) problem = 'it takes no argument';
  else if (deepest.expected === 'never') problem = `${field} is not a known field`;
  else if (deepest.received === 'undefined') problem = `${field} is missing`;
  else problem = `${field} is not acceptable${deepest.expected === null ? '' : `: expected ${deepest.expected.slice(0, 120)}`}`;
  throw new DeskError('USAGE', `Invalid argument to ${operation}: ${problem}.`);
}
