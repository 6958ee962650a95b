import Ajv, {
  type ErrorObject,
  type KeywordDefinition,
  type SchemaValidateFunction,
  type ValidateFunction,
} from 'ajv';
import { channelValueProblem } from '../../esl';
import { validationError, type ValidationDetails } from '../errors';
import type { StatusCallback } from '../domain';
import { callbackUrlProblem } from '../webhooks/callback-url';
import { withDefaults } from '../webhooks/events';
import { LINK_SCHEMA, originProblem, type LinkRequest } from '../links/link-schema';
import { CLICKTOCALL_SCHEMA, STATUS_CALLBACK_SCHEMA, UNKNOWN_STRING_MAX } from './clicktocall-schema';
import { coerceLikeKazoo } from './kazoo-coercion';
import { dataNotAnObject, kazooEntry, maxLengthEntry, type KazooEntry } from './kazoo-errors';
import { ringbackProblem } from './ringback';
import { whitelistProblem } from './whitelist';

/** Control characters, bidi overrides, noncharacters and lone surrogates: never valid in any field. */
const ODD_TEXT =
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The rule name a custom keyword reports under, in Kazoo's `data.<path>.<rule>`. */
const RULE_NAMES: Record<string, string> = {
  'x-channel-value': 'invalid',
  'x-regex': 'regex',
  'x-ringback': 'invalid',
  'x-sip-header': 'invalid_key',
  'x-callback-url': 'invalid',
  'x-origin': 'invalid',
};

const MAX_DEPTH = 8;

/**
 * A custom keyword whose check returns a problem (the error message) or undefined. Its value in a schema is `true`,
 * or `'or-empty'` where the empty string is accepted as well (an optional text a web form sends empty: it is
 * stored as sent and treated as absent when the call is placed).
 */
function problemKeyword(
  keyword: string,
  problemOf: (value: string) => string | undefined,
): KeywordDefinition {
  const validate: SchemaValidateFunction = (schema: true | 'or-empty', data: string) => {
    const message = schema === 'or-empty' && data === '' ? undefined : problemOf(data);
    validate.errors = message === undefined ? [] : [{ keyword, message, params: {} }];
    return message === undefined;
  };
  return { keyword, type: 'string', errors: true, metaSchema: { enum: [true, 'or-empty'] }, validate };
}

/** Headers the SIP stack owns: a `sip_h_` copy would duplicate or corrupt them. */
const OWNED_SIP_HEADERS = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'max-forwards',
  'content-length',
  'content-type',
  'route',
  'record-route',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'expires',
  'allow',
  'supported',
  'require',
  'event',
  'subscription-state',
]);

const sipHeaderProblem = (name: string): string | undefined =>
  OWNED_SIP_HEADERS.has(name.toLowerCase()) ? 'is a header the SIP stack sets itself' : undefined;

/** No `coerceTypes`: ajv's would turn 5 into "5" and true into 1; Kazoo's coercion runs before (kazoo-coercion.ts). */
function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: true,
    allowUnionTypes: true,
  });
  ajv.addKeyword(problemKeyword('x-channel-value', channelValueProblem));
  ajv.addKeyword(problemKeyword('x-regex', whitelistProblem));
  ajv.addKeyword(problemKeyword('x-ringback', ringbackProblem));
  ajv.addKeyword(problemKeyword('x-sip-header', sipHeaderProblem));
  ajv.addKeyword(problemKeyword('x-callback-url', callbackUrlProblem));
  ajv.addKeyword(problemKeyword('x-origin', originProblem));
  return ajv;
}

/** Kazoo's path: `/whitelist/0` → `whitelist.0`; a missing property is named by its own path. */
function kazooPath(error: ErrorObject): string {
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required')
    base.push(String((error.params as { missingProperty: string }).missingProperty));
  return base.join('.') || 'data';
}

function toDetails(errors: ErrorObject[], data: unknown): ValidationDetails {
  const details: ValidationDetails = {};
  let keyMessage: string | undefined;
  for (const error of errors) {
    // A bad key is reported by the key's own rule, then by propertyNames, which names the key: the first
    // gives the message, the second the path.
    if (error.schemaPath.includes('/propertyNames/')) {
      keyMessage ??= kazooEntry(error, undefined).message;
      continue;
    }
    if (error.keyword === 'propertyNames') {
      const name = String((error.params as { propertyName?: string }).propertyName ?? '');
      const path = [kazooPath({ ...error, keyword: '' }), name].filter((p) => p !== 'data').join('.');
      (details[path] ??= {})['invalid_key'] = { message: keyMessage ?? 'is not a valid key' };
      keyMessage = undefined;
      continue;
    }
    const path = kazooPath(error);
    const rule = RULE_NAMES[error.keyword] ?? error.keyword;
    const entry: KazooEntry = kazooEntry(error, valueAt(data, error.instancePath));
    (details[path] ??= {})[rule] = entry;
  }
  return details;
}

function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/**
 * Checks every key and string of a document, known or not: no odd characters anywhere, a bound on the
 * strings and nesting of keys the schema does not know (they are kept, as Kazoo keeps them).
 */
function textDetails(doc: Record<string, unknown>, known: ReadonlySet<string>): ValidationDetails {
  const details: ValidationDetails = {};
  const visit = (value: unknown, path: string[], bounded: boolean): void => {
    const at = path.join('.');
    if (path.length > MAX_DEPTH) {
      details[at] = { depth: { message: `must not nest deeper than ${MAX_DEPTH} levels` } };
      return;
    }
    if (typeof value === 'string') {
      if (ODD_TEXT.test(value))
        details[at] = { invalid: { message: 'must not contain control or unpaired characters' } };
      else if (bounded && value.length > UNKNOWN_STRING_MAX) {
        const entry: KazooEntry = maxLengthEntry(UNKNOWN_STRING_MAX, value);
        details[at] = { maxLength: entry };
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (ODD_TEXT.test(key) || key.length > 128) {
        details[[...path, key.slice(0, 128)].join('.')] = { invalid_key: { message: 'is not a valid key' } };
        continue;
      }
      visit(child, [...path, key], bounded || (path.length === 0 && !known.has(key)));
    }
  };
  visit(doc, [], false);
  return details;
}

export type ClickToCallValidator = (doc: Record<string, unknown>) => void;
export type RequestVarsValidator = (vars: unknown) => Record<string, string>;
export type StatusCallbackValidator = (value: unknown) => StatusCallback;

/**
 * Compiles the configuration schema once. `config` validates a document in place (coercing as Kazoo does,
 * kazoo-coercion.ts, and writing defaults) and throws a validation AppError with every problem found; `requestVars`
 * checks a connect's custom_application_vars with the configuration's own rule for them, `statusCallback` a
 * connect's `status_callback` with the configuration's rule (defaults filled in).
 */
export function createValidators(): {
  config: ClickToCallValidator;
  requestVars: RequestVarsValidator;
  statusCallback: StatusCallbackValidator;
  link: (body: unknown) => LinkRequest;
} {
  const ajv = createAjv();
  const validateConfig = ajv.compile(CLICKTOCALL_SCHEMA);
  const validateVars = ajv.compile({
    type: 'object',
    properties: { custom_application_vars: CLICKTOCALL_SCHEMA.properties.custom_application_vars },
  });
  const validateCallback = ajv.compile({
    type: 'object',
    properties: { status_callback: STATUS_CALLBACK_SCHEMA },
  });
  const validateLink = ajv.compile(LINK_SCHEMA);
  const known = new Set(Object.keys(CLICKTOCALL_SCHEMA.properties));
  const check = (validate: ValidateFunction, doc: Record<string, unknown>): void => {
    coerceLikeKazoo(validate.schema, doc);
    const details = validate(doc) ? {} : toDetails(validate.errors ?? [], doc);
    Object.assign(details, textDetails(doc, known));
    if (Object.keys(details).length > 0) throw validationError(details);
  };
  return {
    config: (doc) => check(validateConfig, doc),
    requestVars: (vars) => {
      const doc = { custom_application_vars: vars };
      check(validateVars, doc);
      return doc.custom_application_vars as Record<string, string>;
    },
    statusCallback: (value) => {
      const doc = { status_callback: value };
      check(validateCallback, doc);
      return withDefaults(doc.status_callback as StatusCallback);
    },
    link: (body) => {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw dataNotAnObject();
      coerceLikeKazoo(LINK_SCHEMA, body);
      const details = validateLink(body) ? {} : toDetails(validateLink.errors ?? [], body);
      if (Object.keys(details).length > 0) throw validationError(details);
      return body as LinkRequest;
    },
  };
}
