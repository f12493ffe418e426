import { API_KEY_HASH_PATTERN, API_KEY_ID_PATTERN, API_KEY_PREFIX } from './api-key';

/** Longest subject, tenant, name, scope or role accepted, in characters. */
export const MAX_API_KEY_TEXT_LENGTH = 256;
/** Most scopes (or roles) one key may carry. */
export const MAX_API_KEY_LIST_ITEMS = 64;

/** The first field of an input that is wrong, and what is wrong with it. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** Checks one field's value; returns what is wrong with it, never repeating the value. */
type Check = (value: unknown) => string | undefined;

interface FieldRule {
  check: Check;
  required?: boolean;
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_API_KEY_TEXT_LENGTH
    ? undefined
    : `must be a non-empty string of at most ${MAX_API_KEY_TEXT_LENGTH} characters`;

const word: Check = (v) =>
  text(v) ?? (/\s/.test(v as string) ? 'must not contain white space' : undefined);

const words: Check = (v) =>
  Array.isArray(v) &&
  v.length <= MAX_API_KEY_LIST_ITEMS &&
  (v as unknown[]).every((item) => word(item) === undefined)
    ? undefined
    : `must be an array of at most ${MAX_API_KEY_LIST_ITEMS} non-empty strings without white space, each of at most ${MAX_API_KEY_TEXT_LENGTH} characters`;

const date: Check = (v) =>
  typeof v === 'string' && ISO_DATE_TIME.test(v) && Number.isFinite(Date.parse(v))
    ? undefined
    : 'must be an ISO 8601 date and time with a time zone, e.g. 2027-01-31T00:00:00Z';

const id: Check = (v) =>
  typeof v === 'string' && API_KEY_ID_PATTERN.test(v)
    ? undefined
    : 'must be 10 letters or digits (the id part of rk_<id>_<secret>)';

const hash: Check = (v) => {
  if (typeof v === 'string' && API_KEY_HASH_PATTERN.test(v)) return undefined;
  if (typeof v === 'string' && v.startsWith(API_KEY_PREFIX))
    return 'holds a key, not its hash: store only "sha256:" and the hex SHA-256 of the secret part';
  return 'must be "sha256:" followed by 64 lower-case hex digits (the hash of the secret part)';
};

/** What `ApiKeys.issue()` and the admin API accept. */
export const ISSUE_FIELDS: Readonly<Record<string, FieldRule>> = {
  subject: { check: text, required: true },
  tenant: { check: text },
  scopes: { check: words },
  roles: { check: words },
  name: { check: text },
  expiresAt: { check: date },
};

/** What a stored record (an API keys file's entry) holds. */
export const RECORD_FIELDS: Readonly<Record<string, FieldRule>> = {
  id: { check: id, required: true },
  hash: { check: hash, required: true },
  ...ISSUE_FIELDS,
  createdAt: { check: date, required: true },
  createdBy: { check: text },
  revokedAt: { check: date },
  revokedBy: { check: text },
};

/**
 * The first problem of `value` against `rules`: an unknown field (a misspelt `scope` must not
 * silently give a key no scopes), a missing required one, or a bad value. `undefined` when none.
 *
 * @example
 * ```ts
 * findFieldProblem({ subject: 'svc', scope: ['a'] }, ISSUE_FIELDS);
 * // { field: 'scope', problem: 'is not a known field (known: subject, tenant, …)' }
 * ```
 */
export function findFieldProblem(
  value: Readonly<Record<string, unknown>>,
  rules: Readonly<Record<string, FieldRule>>,
): FieldProblem | undefined {
  for (const field of Object.keys(value))
    if (!Object.hasOwn(rules, field))
      return {
        // A name is echoed only when it looks like one: what a caller sends is not repeated.
        field: FIELD_NAME.test(field) ? field : '(unexpected name)',
        problem: `is not a known field (known: ${Object.keys(rules).join(', ')})`,
      };
  for (const [field, rule] of Object.entries(rules)) {
    const given = value[field];
    if (given === undefined) {
      if (rule.required) return { field, problem: 'is required' };
      continue;
    }
    const problem = rule.check(given);
    if (problem) return { field, problem };
  }
  return undefined;
}

/** Whether `value` is a plain object (not an array, not `null`). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
