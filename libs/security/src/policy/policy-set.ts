import type * as Cedar from '@cedar-policy/cedar-wasm/nodejs';
import { PolicyLoadError } from '../errors/policy-load.error';
import {
  POLICY_DUPLICATE_ID,
  POLICY_PARSE_FAILED,
  POLICY_TEMPLATES_UNSUPPORTED,
  POLICY_UNKNOWN_ENTITY_TYPE,
} from '../errors/policy-messages.constant';

/** The Cedar bindings this lib uses (`@cedar-policy/cedar-wasm/nodejs`). */
export type CedarBindings = typeof Cedar;

/**
 * Loads Cedar's WebAssembly build on first use, resolved from this package (its dependency):
 * compiling it takes a moment and memory that apps without policies never spend.
 */
export function loadCedar(): CedarBindings {
  // oxlint-disable-next-line typescript/no-require-imports -- lazy, CommonJS build
  return require('@cedar-policy/cedar-wasm/nodejs') as CedarBindings;
}

/** Policy text and where it came from. */
export interface PolicySource {
  /** A file path as configured, or `inline policies`. */
  name: string;
  text: string;
}

/**
 * One loaded policy.
 *
 * @example
 * ```ts
 * engine.policies; // [{ id: 'admins', effect: 'permit', source: 'policies/base.cedar', line: 3 }]
 * ```
 */
export interface PolicyInfo {
  /** Its `@id("…")` annotation, else `policyN`, numbered in load order across all sources. */
  id: string;
  effect: 'permit' | 'forbid';
  /** The file it is in, or `inline policies`. */
  source: string;
  /** The line it starts on (its first annotation), 1-based. */
  line: number;
}

/**
 * What of a context record the policies can read: `true` for all of it, else the keys they read
 * and, for each, what of its value (`context.arguments.amount` reads `arguments` → `amount`).
 */
export type ContextReads = true | ReadonlyMap<string, ContextReads>;

/**
 * Which attributes the policies can read: for `principal` and `resource` a set of names, or
 * `all` when some expression reaches the entity in a way that is not a plain `.attr` /
 * `has attr`; for `context` the paths read. What no policy can read is not sent to Cedar: each
 * attribute costs parse time on every request, and a decision remembered under what was sent
 * is reused when only unread data differs.
 */
export interface AttributeReads {
  principal: ReadonlySet<string> | 'all';
  resource: ReadonlySet<string> | 'all';
  context: ContextReads;
}

/** A parsed, checked policy set, ready to be handed to Cedar. */
export interface CompiledPolicySet {
  policies: PolicyInfo[];
  /** Policy text by id, as `preparsePolicySet` takes it. */
  texts: Record<string, string>;
  /** Ids of the `forbid` policies. */
  forbids: ReadonlySet<string>;
  reads: AttributeReads;
  /** Things that load but are likely mistakes (entity types Rampart never sends). */
  warnings: string[];
}

/** Every entity type Rampart puts in a request. */
export const RAMPART_ENTITY_TYPES: ReadonlySet<string> = new Set([
  'Rampart::Subject',
  'Rampart::Anonymous',
  'Rampart::Role',
  'Rampart::Action',
  'Rampart::Server',
  'Rampart::Tool',
  'Rampart::Resource',
  'Rampart::ResourceTemplate',
  'Rampart::Prompt',
]);

interface Parsed {
  text: string;
  source: string;
  offset: number;
  line: number;
  json: Cedar.PolicyJson;
}

/**
 * Parses every source, checks it (no templates, unique ids) and analyses what the policies read.
 * Each source is parsed on its own so that an error names its file and line.
 *
 * @throws PolicyLoadError naming the source at fault.
 */
export function compilePolicies(
  cedar: CedarBindings,
  sources: readonly PolicySource[],
): CompiledPolicySet {
  const parsed: Parsed[] = [];
  for (const source of sources) parsed.push(...parseSource(cedar, source));

  const policies: PolicyInfo[] = [];
  const texts: Record<string, string> = Object.create(null) as Record<string, string>;
  const forbids = new Set<string>();
  const reads: Reads = {
    principal: new Set<string>(),
    resource: new Set<string>(),
    context: new Map(),
    allEntities: false,
  };
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  parsed.forEach((p, index) => {
    const annotated = p.json.annotations?.id;
    const id = typeof annotated === 'string' && annotated !== '' ? annotated : `policy${index}`;
    const where = `${p.source} line ${p.line}`;
    const earlier = seen.get(id);
    if (earlier !== undefined)
      throw new PolicyLoadError(POLICY_DUPLICATE_ID(id, earlier, where), p.source);
    seen.set(id, where);
    texts[id] = p.text;
    if (p.json.effect === 'forbid') forbids.add(id);
    policies.push({ id, effect: p.json.effect, source: p.source, line: p.line });
    for (const body of p.json.conditions.map((c) => c.body)) collectReads(body, reads);
    for (const type of entityTypesOf(p.json))
      if (!RAMPART_ENTITY_TYPES.has(type))
        warnings.push(POLICY_UNKNOWN_ENTITY_TYPE(id, where, type));
  });
  return {
    policies,
    texts,
    forbids,
    reads: {
      principal: reads.allEntities ? 'all' : reads.principal,
      resource: reads.allEntities ? 'all' : reads.resource,
      context: reads.context,
    },
    warnings,
  };
}

function parseSource(cedar: CedarBindings, source: PolicySource): Parsed[] {
  const parts = cedar.policySetTextToParts(source.text);
  if (parts.type === 'failure') {
    const first = parts.errors[0];
    const at = first?.sourceLocations?.[0];
    const where = at ? `, ${position(source.text, at.start)}` : '';
    const problem = parts.errors
      .map((e) => {
        const label = e.sourceLocations?.[0]?.label;
        return label ? `${e.message} (${label})` : e.message;
      })
      .join('; ');
    throw new PolicyLoadError(POLICY_PARSE_FAILED(source.name, where, problem), source.name);
  }
  if (parts.policy_templates.length > 0)
    throw new PolicyLoadError(
      POLICY_TEMPLATES_UNSUPPORTED(source.name, parts.policy_templates.length),
      source.name,
    );
  // Cedar returns the policies sorted by their ids ("policy0", "policy1", "policy10", …), each as
  // its own text: their offsets in the source give back the order they were written in.
  const taken = new Set<number>();
  const located = parts.policies.map((text, order) => {
    let offset = source.text.indexOf(text);
    while (offset >= 0 && taken.has(offset)) offset = source.text.indexOf(text, offset + 1);
    if (offset >= 0) taken.add(offset);
    return { text, offset: offset >= 0 ? offset : Number.MAX_SAFE_INTEGER, order };
  });
  located.sort((a, b) => a.offset - b.offset || a.order - b.order);
  return located.map(({ text, offset }) => {
    const json = cedar.policyToJson(text);
    // The text came out of Cedar's own parser, so it parses again.
    if (json.type === 'failure')
      throw new PolicyLoadError(
        POLICY_PARSE_FAILED(source.name, '', json.errors.map((e) => e.message).join('; ')),
        source.name,
      );
    const line = offset === Number.MAX_SAFE_INTEGER ? 0 : lineOf(source.text, offset);
    return { text, source: source.name, offset, line, json: json.json };
  });
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function position(text: string, offset: number): string {
  const line = lineOf(text, offset);
  const column = offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
  return `line ${line}, column ${column}`;
}

interface Reads {
  principal: Set<string>;
  resource: Set<string>;
  /** `true` once some policy uses `context` as a whole. */
  context: Map<string, ContextReads> | true;
  /** Some attribute read starts at an expression that may be `principal` or `resource`. */
  allEntities: boolean;
}

/**
 * Records what an expression (Cedar's JSON form) reads of `principal`, `resource` and
 * `context`. Sound by construction: a variable's attributes are reached only through the
 * variable, so a chain of `.attr` (ending in `.attr` or `has attr`) that starts at it names
 * exactly what is read, and any other use of `context` reads all of it. An attribute read that
 * starts at anything else that may evaluate to an entity (an entity literal, an `if`, a record
 * holding `principal`) marks every entity attribute read.
 */
function collectReads(node: unknown, reads: Reads): void {
  if (Array.isArray(node)) {
    for (const child of node) collectReads(child, reads);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [op, arg] of Object.entries(node as Record<string, unknown>)) {
    if (op === 'Value') continue; // a literal: no variable in it
    if (op === 'Var') {
      if (arg === 'context') reads.context = true; // `context` used as a whole
      continue;
    }
    if (op === 'Record' && arg && typeof arg === 'object') {
      for (const value of Object.values(arg)) collectReads(value, reads);
      continue;
    }
    if ((op === '.' || op === 'has') && arg && typeof arg === 'object') {
      const { root, path } = chainOf({ [op]: arg });
      const variable = varOf(root);
      if (path === undefined) collectReads(arg, reads);
      else if (variable === 'context') addPath(reads, path, op === '.');
      else if (variable === 'principal' || variable === 'resource') reads[variable].add(path[0]!);
      else if (variable !== 'action') {
        reads.allEntities = true;
        collectReads(root, reads);
      }
      continue;
    }
    collectReads(arg, reads);
  }
}

/**
 * `context.arguments.amount` → root `context`, path `arguments`, `amount`; `context has a.b` →
 * root `context`, path `a`, `b`. `path` is undefined when an attribute name is not a string.
 */
function chainOf(node: unknown): { root: unknown; path?: string[] } {
  const path: string[] = [];
  let current = node;
  for (;;) {
    if (!current || typeof current !== 'object') break;
    const step = ('.' in current ? current['.'] : 'has' in current ? current.has : undefined) as
      { left?: unknown; attr?: unknown } | undefined;
    if (!step) break;
    const names = Array.isArray(step.attr) ? (step.attr as unknown[]) : [step.attr];
    if (names.length === 0 || names.some((n) => typeof n !== 'string')) return { root: current };
    path.unshift(...(names as string[]));
    current = step.left;
    if (current && typeof current === 'object' && 'has' in current) break; // `(x has a).b`
  }
  return { root: current, path };
}

/**
 * Adds a read of `path` to the context reads: of its value whole (`.`), or only of whether it
 * is there (`has`), which needs the key but none of its value.
 */
function addPath(reads: Reads, path: readonly string[], whole: boolean): void {
  if (reads.context === true) return;
  let tree: Map<string, ContextReads> = reads.context;
  for (const [i, key] of path.entries()) {
    const existing = tree.get(key);
    if (existing === true) return; // already read whole
    if (i === path.length - 1 && whole) {
      tree.set(key, true);
      return;
    }
    const next = existing ?? new Map<string, ContextReads>();
    tree.set(key, next);
    tree = next as Map<string, ContextReads>;
  }
}

function varOf(node: unknown): string | undefined {
  if (node && typeof node === 'object' && 'Var' in node) {
    const name = (node as { Var: unknown }).Var;
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

/** Every entity type a policy names, in its scope and in its conditions' literals. */
function entityTypesOf(json: Cedar.PolicyJson): Set<string> {
  const types = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'entity_type' && typeof value === 'string') types.add(value);
      else if ((key === 'entity' || key === 'entities' || key === '__entity') && value)
        addUids(value, types);
      else visit(value);
    }
  };
  visit([json.principal, json.action, json.resource, json.conditions]);
  return types;
}

function addUids(value: unknown, types: Set<string>): void {
  if (Array.isArray(value)) {
    for (const uid of value) addUids(uid, types);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const uid = ('__entity' in value ? value.__entity : value) as { type?: unknown };
  if (typeof uid?.type === 'string') types.add(uid.type);
}
