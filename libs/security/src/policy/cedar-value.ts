/** A value in Cedar's JSON form, as the conversion below produces it (no entity or extension escapes). */
export type CedarJsonValue = string | number | boolean | CedarJsonValue[] | CedarJsonRecord;

/** A Cedar record in JSON form. */
export interface CedarJsonRecord {
  [key: string]: CedarJsonValue;
}

/** Deepest nesting of records and sets converted below the context itself. */
export const MAX_CEDAR_VALUE_DEPTH = 32;

/** Most values (of any kind, at any depth) converted for one request's context. */
export const MAX_CEDAR_VALUES = 10_000;

/**
 * Keys that Cedar's JSON format reads as escapes (`__entity` makes an entity reference,
 * `__extn` an extension value, `__expr` is refused): a caller's arguments must not forge an
 * entity such as `Rampart::Role::"admin"`, nor make the whole request unparseable.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__entity', '__extn', '__expr']);

/** A value that cannot be converted at all: too deep, too large or cyclic. */
export class CedarValueLimitError extends Error {
  override readonly name = 'CedarValueLimitError';
}

const ABSENT = undefined;

/**
 * Converts request data (a context record, tool arguments) to Cedar JSON that always parses,
 * whatever a caller sent:
 *
 * | JavaScript value | Cedar value |
 * |---|---|
 * | string | String (lone surrogates replaced by U+FFFD) |
 * | boolean | Boolean |
 * | integer within ±(2^53 − 1) | Long |
 * | other number (`1.5`, `1e300`, `NaN`, `Infinity`) | String, `String(n)` (so `context.arguments.amount > 100` on `100.5` is a type error, never a silent pass) |
 * | bigint | Long within ±(2^53 − 1), else String |
 * | `Date` | String, ISO 8601 (invalid dates are left out) |
 * | array, `Set` | Set (elements converted alike; left-out elements dropped) |
 * | other object (plain, class instance such as a DTO) | Record of its own enumerable keys (`__proto__` and `constructor` are ordinary keys) |
 * | `null`, `undefined`, function, symbol, binary data, `Map`, `RegExp`, `Promise` | left out (`has` is false) |
 *
 * Record keys `__entity`, `__extn` and `__expr` are left out: they are Cedar's JSON escapes.
 * With `select`, only the parts of `value` it names are converted (the ones the policies read).
 *
 * @throws CedarValueLimitError when the value nests deeper than {@link MAX_CEDAR_VALUE_DEPTH},
 *   holds more than {@link MAX_CEDAR_VALUES} values or is cyclic.
 *
 * @example
 * ```ts
 * toCedarRecord({ amount: 1.5, note: null, tags: ['a'] });
 * // { amount: '1.5', tags: ['a'] }
 * ```
 */
export function toCedarRecord(
  value: Readonly<Record<string, unknown>>,
  select?: CedarSelection,
): CedarJsonRecord {
  const budget: Budget = { left: MAX_CEDAR_VALUES, path: [] };
  return convertRecord(value, 0, budget, select === true ? undefined : select);
}

/**
 * What of a record to convert: `true` for all of it, else the keys to convert and what of each
 * (an empty selection keeps a record's key and none of its content; a value that is not a
 * record is converted whole).
 */
export type CedarSelection = true | ReadonlyMap<string, CedarSelection>;

interface Budget {
  left: number;
  /**
   * Objects on the path from the root to the value being converted (cycle detection): an array,
   * at most {@link MAX_CEDAR_VALUE_DEPTH} long, is cheaper here than a set, which gives every
   * object it holds an identity hash.
   */
  path: object[];
}

function convert(
  value: unknown,
  depth: number,
  budget: Budget,
  select?: ReadonlyMap<string, CedarSelection>,
): CedarJsonValue | undefined {
  if (--budget.left < 0)
    throw new CedarValueLimitError(`more than ${MAX_CEDAR_VALUES} values in the context`);
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? value : String(value);
    case 'bigint':
      return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : String(value);
    case 'object':
      return value === null ? ABSENT : convertObject(value, depth + 1, budget, select);
    default:
      return ABSENT;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function convertObject(
  value: object,
  depth: number,
  budget: Budget,
  select?: ReadonlyMap<string, CedarSelection>,
): CedarJsonValue | undefined {
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? ABSENT : value.toISOString();
  }
  const isList = Array.isArray(value) || value instanceof Set;
  if (!isList && isOpaque(value)) return ABSENT;
  if (depth > MAX_CEDAR_VALUE_DEPTH)
    throw new CedarValueLimitError(`values nested deeper than ${MAX_CEDAR_VALUE_DEPTH} levels`);
  if (!isList) return convertRecord(value as Record<string, unknown>, depth, budget, select);
  if (budget.path.includes(value)) throw new CedarValueLimitError('a cyclic value');
  budget.path.push(value);
  try {
    const out: CedarJsonValue[] = [];
    for (const element of value as Iterable<unknown>) {
      const converted = convert(element, depth, budget);
      if (converted !== ABSENT) out.push(converted);
    }
    return out;
  } finally {
    budget.path.pop();
  }
}

/**
 * Sets `key` on `out` as an own enumerable property; `__proto__` too, as an ordinary key (an
 * assignment would replace the object's prototype instead).
 */
function put(out: CedarJsonRecord, key: string, value: CedarJsonValue): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
}

function convertRecord(
  record: Readonly<Record<string, unknown>>,
  depth: number,
  budget: Budget,
  select?: ReadonlyMap<string, CedarSelection>,
): CedarJsonRecord {
  if (budget.path.includes(record)) throw new CedarValueLimitError('a cyclic value');
  budget.path.push(record);
  try {
    // A plain object, not a null-prototype one: V8 keeps those in dictionary mode, and the
    // decision cache's JSON.stringify of the context takes three times as long on them.
    const out: CedarJsonRecord = {};
    if (select) {
      // By key, then `get`: iterating entries allocates a [key, value] array per entry.
      for (const key of select.keys()) {
        const part = select.get(key)!;
        if (RESERVED_KEYS.has(key) || !Object.prototype.hasOwnProperty.call(record, key)) continue;
        const converted = convert(record[key], depth, budget, part === true ? undefined : part);
        if (converted !== ABSENT) put(out, key, converted);
      }
      return out;
    }
    for (const key of Object.keys(record)) {
      if (RESERVED_KEYS.has(key)) continue;
      const converted = convert(record[key], depth, budget);
      if (converted !== ABSENT) put(out, wellFormed(key), converted);
    }
    return out;
  } finally {
    budget.path.pop();
  }
}

/** Objects whose data is not in their own enumerable keys: binary data, maps, regexps, promises. */
function isOpaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof Map ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof RegExp ||
    value instanceof Promise
  );
}

/** ES2024's well-formed string methods (Node ≥ 20), not in this build's `lib`. */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Cedar (Rust) strings are UTF-8: a lone surrogate would make the whole request unparseable. */
function wellFormed(text: string): string {
  const s = text as unknown as WellFormedString;
  return s.isWellFormed() ? text : s.toWellFormed();
}
