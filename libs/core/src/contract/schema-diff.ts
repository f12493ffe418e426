import { canonical } from './contract-snapshot';
import type { ContractSchema } from './contract.interfaces';

/**
 * Which way a schema is read: an `input` schema describes what clients send (the new schema must
 * accept everything the old one did), an `output` schema what clients receive (the new schema
 * must promise everything the old one did).
 */
export type SchemaSide = 'input' | 'output';

/** One difference between two versions of a schema, classified for its side. */
export interface SchemaChange {
  severity: 'breaking' | 'compatible';
  /** e.g. `input property "url" removed`, `output: additionalProperties changed from true to false`. */
  message: string;
}

/**
 * What a change does to the set of values a schema admits: `narrowed` (fewer), `loosened`
 * (more), `changed` (neither a subset nor a superset, or not known), `annotation` (no effect).
 */
type Effect = 'narrowed' | 'loosened' | 'changed' | 'annotation';

/** Lower bounds: raising one narrows. */
const LOWER_BOUNDS = [
  'minimum',
  'exclusiveMinimum',
  'minLength',
  'minItems',
  'minProperties',
  'minContains',
];
/** Upper bounds: lowering one narrows. */
const UPPER_BOUNDS = [
  'maximum',
  'exclusiveMaximum',
  'maxLength',
  'maxItems',
  'maxProperties',
  'maxContains',
];
/** Assertions given as a string, compared only for equality. */
const STRING_ASSERTIONS = ['pattern', 'format'];
/** Keywords that do not change what validates. */
const ANNOTATIONS = [
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  '$comment',
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
];
/** Keywords compared by the rules below, or only through `$ref`. */
const HANDLED = new Set([
  ...LOWER_BOUNDS,
  ...UPPER_BOUNDS,
  ...STRING_ASSERTIONS,
  ...ANNOTATIONS,
  'type',
  'enum',
  'const',
  'multipleOf',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'unevaluatedProperties',
  'items',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  '$defs',
  'definitions',
]);

const show = (value: unknown): string => JSON.stringify(value);
const key = (value: unknown): string => JSON.stringify(canonical(value));
const isObject = (value: unknown): value is ContractSchema =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** The types a schema admits, or `undefined` for any. */
function typesOf(schema: ContractSchema): string[] | undefined {
  const { type } = schema;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

/** Whether `types` admits every value of type `t` (`number` admits `integer`). */
const admits = (types: string[], t: string): boolean =>
  types.includes(t) || (t === 'integer' && types.includes('number'));

/** The effect of going from the set of values `before` to `after` (`undefined`: any value). */
function setEffect<T>(
  before: T[] | undefined,
  after: T[] | undefined,
  contains: (set: T[], item: T) => boolean,
): Effect | undefined {
  if (!before && !after) return undefined;
  if (!before) return 'narrowed';
  if (!after) return 'loosened';
  const kept = before.every((b) => contains(after, b));
  const within = after.every((a) => contains(before, a));
  if (kept && within) return undefined;
  if (kept) return 'loosened';
  if (within) return 'narrowed';
  return 'changed';
}

/** A resolved `$ref` target, with the reference it came from (for cycles). */
interface Resolved {
  schema: ContractSchema;
  ref?: string;
}

/** Follows local `$ref`s (`#`, `#/json/pointer`, `#anchor`) within `root`; siblings of `$ref` win. */
function resolve(node: ContractSchema, root: ContractSchema): Resolved {
  let schema = node;
  let ref: string | undefined;
  for (let hops = 0; typeof schema.$ref === 'string' && hops < 32; hops++) {
    const target = lookUp(schema.$ref, root);
    if (!target) break;
    ref = schema.$ref;
    const { $ref: _r, ...siblings } = schema;
    schema = { ...target, ...siblings };
  }
  return { schema, ref };
}

function lookUp(ref: string, root: ContractSchema): ContractSchema | undefined {
  if (ref === '#') return root;
  if (ref.startsWith('#/')) {
    let at: unknown = root;
    for (const raw of ref.slice(2).split('/')) {
      const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObject(at) || Array.isArray(at) ? (at as Record<string, unknown>)[segment] : undefined;
    }
    return isObject(at) ? at : undefined;
  }
  if (ref.startsWith('#')) return findAnchor(root, ref.slice(1), 0);
  return undefined;
}

function findAnchor(node: unknown, anchor: string, depth: number): ContractSchema | undefined {
  if (depth > 64 || !node || typeof node !== 'object') return undefined;
  if (isObject(node) && node.$anchor === anchor) return node;
  for (const child of Object.values(node)) {
    const found = findAnchor(child, anchor, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A schema given as a boolean, as an object: `true` admits anything, `false` nothing. */
const asObject = (schema: unknown): ContractSchema =>
  schema === false ? { not: {} } : isObject(schema) ? schema : {};

/** Compares two schemas of one side, collecting the changes. */
class SchemaComparison {
  readonly changes: SchemaChange[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly side: SchemaSide,
    private readonly oldRoot: ContractSchema,
    private readonly newRoot: ContractSchema,
  ) {}

  compare(before: unknown, after: unknown, path: string): void {
    const a = resolve(asObject(before), this.oldRoot);
    const b = resolve(asObject(after), this.newRoot);
    // A definition reached again (recursion, or from another property) was compared already:
    // its changes are reported once, at the first path that reached it.
    if (a.ref || b.ref) {
      const pair = `${a.ref ?? ''}\0${b.ref ?? ''}`;
      if (this.seen.has(pair)) return;
      this.seen.add(pair);
    }
    const old = a.schema;
    const now = b.schema;
    this.types(old, now, path);
    this.values(old, now, path);
    for (const k of LOWER_BOUNDS) this.bound(k, old[k], now[k], path, 1);
    for (const k of UPPER_BOUNDS) this.bound(k, old[k], now[k], path, -1);
    this.multipleOf(old.multipleOf, now.multipleOf, path);
    if (!!old.uniqueItems !== !!now.uniqueItems)
      this.add(
        path,
        now.uniqueItems ? 'uniqueItems added' : 'uniqueItems removed',
        now.uniqueItems ? 'narrowed' : 'loosened',
      );
    for (const k of STRING_ASSERTIONS) this.stringAssertion(k, old[k], now[k], path);
    for (const k of ANNOTATIONS) {
      if (key(old[k]) === key(now[k])) continue;
      const what = old[k] === undefined ? 'added' : now[k] === undefined ? 'removed' : 'changed';
      this.add(path, `${k} ${what}`, 'annotation');
    }
    this.properties(old, now, path);
    for (const k of ['additionalProperties', 'unevaluatedProperties'])
      this.openness(k, old[k], now[k], path);
    this.items(old.items, now.items, path);
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) this.branches(k, old[k], now[k], path);
    for (const k of new Set([...Object.keys(old), ...Object.keys(now)])) {
      if (HANDLED.has(k) || key(old[k]) === key(now[k])) continue;
      const what =
        old[k] === undefined
          ? `"${k}" added`
          : now[k] === undefined
            ? `"${k}" removed`
            : `"${k}" changed from ${show(old[k])} to ${show(now[k])}`;
      this.add(path, `${what} (not classified by the checker, so counted as breaking)`, 'changed');
    }
  }

  private add(path: string, what: string, effect: Effect): void {
    const where = path ? `${this.side} property "${path}"` : this.side;
    this.changes.push({ severity: this.severity(effect), message: `${where}: ${what}` });
  }

  /** An input may widen, an output may narrow; anything else can fail a client. */
  private severity(effect: Effect): SchemaChange['severity'] {
    if (effect === 'annotation') return 'compatible';
    if (effect === 'changed') return 'breaking';
    return (effect === 'narrowed') === (this.side === 'input') ? 'breaking' : 'compatible';
  }

  private types(old: ContractSchema, now: ContractSchema, path: string): void {
    const before = typesOf(old);
    const after = typesOf(now);
    const effect = setEffect(before, after, admits);
    if (!effect) return;
    const text =
      before === undefined
        ? `type ${show(now.type)} added`
        : after === undefined
          ? `type ${show(old.type)} removed`
          : `type ${effect === 'narrowed' ? 'narrowed' : effect === 'loosened' ? 'widened' : 'changed'} from ${show(old.type)} to ${show(now.type)}`;
    this.add(path, text, effect);
  }

  /** `enum` and `const`: the values allowed. */
  private values(old: ContractSchema, now: ContractSchema, path: string): void {
    const listOf = (s: ContractSchema): unknown[] | undefined =>
      Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
    const before = listOf(old)?.map(key);
    const after = listOf(now)?.map(key);
    const effect = setEffect(before, after, (set, v) => set.includes(v));
    if (!effect) return;
    const word = Array.isArray(old.enum) || Array.isArray(now.enum) ? 'enum' : 'const';
    let text: string;
    if (!before) text = `${word} added: ${after!.join(', ')}`;
    else if (!after) text = `${word} removed (was ${before.join(', ')})`;
    else if (word === 'const') text = `const changed from ${before[0]} to ${after[0]}`;
    else {
      const removed = before.filter((v) => !after.includes(v));
      const added = after.filter((v) => !before.includes(v));
      text = [
        removed.length && `enum values removed: ${removed.join(', ')}`,
        added.length && `enum values added: ${added.join(', ')}`,
      ]
        .filter(Boolean)
        .join('; ');
    }
    this.add(path, text, effect);
  }

  /** `direction` 1: a lower bound (raising it narrows); -1: an upper bound. */
  private bound(k: string, before: unknown, after: unknown, path: string, direction: 1 | -1): void {
    if (before === after) return;
    if (
      (before !== undefined && typeof before !== 'number') ||
      (after !== undefined && typeof after !== 'number')
    ) {
      this.add(path, `${k} changed from ${show(before)} to ${show(after)}`, 'changed');
      return;
    }
    if (before === undefined) return this.add(path, `${k} added (${after})`, 'narrowed');
    if (after === undefined) return this.add(path, `${k} removed (was ${before})`, 'loosened');
    const raised = after > before;
    this.add(
      path,
      `${k} ${raised ? 'raised' : 'lowered'} from ${before} to ${after}`,
      raised === (direction === 1) ? 'narrowed' : 'loosened',
    );
  }

  private multipleOf(before: unknown, after: unknown, path: string): void {
    if (before === after) return;
    if (before === undefined)
      return this.add(path, `multipleOf added (${show(after)})`, 'narrowed');
    if (after === undefined)
      return this.add(path, `multipleOf removed (was ${show(before)})`, 'loosened');
    const divides = (a: unknown, b: unknown) =>
      typeof a === 'number' && typeof b === 'number' && Number.isInteger(b / a);
    const effect = divides(before, after)
      ? 'narrowed'
      : divides(after, before)
        ? 'loosened'
        : 'changed';
    this.add(path, `multipleOf changed from ${show(before)} to ${show(after)}`, effect);
  }

  private stringAssertion(k: string, before: unknown, after: unknown, path: string): void {
    if (key(before) === key(after)) return;
    if (before === undefined) return this.add(path, `${k} added (${show(after)})`, 'narrowed');
    if (after === undefined)
      return this.add(path, `${k} removed (was ${show(before)})`, 'loosened');
    this.add(path, `${k} changed from ${show(before)} to ${show(after)}`, 'changed');
  }

  /** Properties added, removed, made required or optional, and each kept one compared. */
  private properties(old: ContractSchema, now: ContractSchema, path: string): void {
    const before = isObject(old.properties) ? old.properties : {};
    const after = isObject(now.properties) ? now.properties : {};
    const requiredBefore = new Set(Array.isArray(old.required) ? (old.required as string[]) : []);
    const requiredAfter = new Set(Array.isArray(now.required) ? (now.required as string[]) : []);
    const names = [
      ...new Set([
        ...Object.keys(before),
        ...Object.keys(after),
        ...requiredBefore,
        ...requiredAfter,
      ]),
    ].sort();
    for (const name of names) {
      const at = path ? `${path}.${name}` : name;
      const where = `${this.side} property "${at}"`;
      const had = name in before;
      const has = name in after;
      if (had && !has) {
        this.changes.push({ severity: 'breaking', message: `${where} removed` });
        continue;
      }
      if (!had && has) {
        const required = requiredAfter.has(name);
        this.changes.push({
          severity: required && this.side === 'input' ? 'breaking' : 'compatible',
          message: `${where} added (${required ? 'required' : 'optional'})`,
        });
        continue;
      }
      if (had) this.compare(before[name], after[name], at);
      if (requiredBefore.has(name) !== requiredAfter.has(name)) {
        const nowRequired = requiredAfter.has(name);
        this.changes.push({
          severity: this.severity(nowRequired ? 'narrowed' : 'loosened'),
          message: `${where} became ${nowRequired ? 'required' : 'optional'}`,
        });
      }
    }
  }

  /** `additionalProperties` / `unevaluatedProperties`: any (absent, `true`, `{}`), none, or a schema. */
  private openness(k: string, before: unknown, after: unknown, path: string): void {
    const state = (v: unknown) =>
      v === undefined || v === true || (isObject(v) && !Object.keys(v).length)
        ? 'true'
        : v === false
          ? 'false'
          : 'a schema';
    const a = state(before);
    const b = state(after);
    if (a === 'a schema' && b === 'a schema')
      return this.compare(before, after, path ? `${path}.*` : '*');
    if (a === b) return;
    const effect: Effect = a === 'true' || b === 'false' ? 'narrowed' : 'loosened';
    this.add(path, `${k} changed from ${a} to ${b}`, effect);
  }

  private items(before: unknown, after: unknown, path: string): void {
    const any = (v: unknown) =>
      v === undefined || v === true || (isObject(v) && !Object.keys(v).length);
    if (any(before) && any(after)) return;
    if (any(before)) return this.add(path, 'items schema added', 'narrowed');
    if (any(after)) return this.add(path, 'items schema removed', 'loosened');
    this.compare(before, after, `${path}[]`);
  }

  /**
   * `anyOf` / `oneOf` (a value matches one of them: more alternatives loosen) and `allOf` (it
   * matches all: more narrow). One alternative replaced by another is compared as a schema.
   */
  private branches(
    k: 'anyOf' | 'oneOf' | 'allOf',
    before: unknown,
    after: unknown,
    path: string,
  ): void {
    const a = Array.isArray(before) ? before : undefined;
    const b = Array.isArray(after) ? after : undefined;
    if (!a && !b) return;
    const more: Effect = k === 'allOf' ? 'narrowed' : 'loosened';
    const fewer: Effect = k === 'allOf' ? 'loosened' : 'narrowed';
    if (!a) return this.add(path, `${k} added`, 'narrowed');
    if (!b) return this.add(path, `${k} removed`, 'loosened');
    const keysA = a.map(key);
    const keysB = b.map(key);
    const removed = a.filter((_, i) => !keysB.includes(keysA[i]));
    const added = b.filter((_, i) => !keysA.includes(keysB[i]));
    if (removed.length === 1 && added.length === 1) return this.compare(removed[0], added[0], path);
    if (removed.length && added.length)
      return this.add(path, `${k} alternatives changed`, 'changed');
    if (added.length) this.add(path, `${k}: ${added.length} alternative(s) added`, more);
    if (removed.length) this.add(path, `${k}: ${removed.length} alternative(s) removed`, fewer);
  }
}

/**
 * The changes from one JSON Schema to another, each classified for its side: for an `input`
 * schema, narrowing (a new required property, a removed property, a narrower type, fewer enum
 * values, a tighter bound, `additionalProperties` turned off) is breaking and loosening is
 * compatible; for an `output` schema the other way round, except that a removed property is
 * breaking and an added one compatible on both sides. Description-like keywords are compatible.
 * Keywords it does not know (`if`, `not`, `x-…`) are breaking when they change. Local `$ref`s are
 * followed.
 *
 * @example
 * ```ts
 * diffSchemas(
 *   { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
 *   { type: 'object', properties: {} },
 *   'input',
 * ); // [{ severity: 'breaking', message: 'input property "url" removed' }]
 * ```
 */
export function diffSchemas(
  before: ContractSchema,
  after: ContractSchema,
  side: SchemaSide,
): SchemaChange[] {
  const comparison = new SchemaComparison(side, before, after);
  comparison.compare(before, after, '');
  return comparison.changes;
}
