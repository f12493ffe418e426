import { DEFAULT_CENSOR } from '../observability.constants';
import type { RedactionOptions } from './redaction-options.interface';

/** Keys that hold credentials, matched anywhere in a key name. */
export const DEFAULT_KEY_PATTERNS: readonly RegExp[] = [
  /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential/i,
];

/**
 * Emails, `Bearer` tokens and JWTs inside strings.
 *
 * Each pattern runs in time linear in the string's length, because callers choose the strings:
 * an email pattern tried from every position of a long run of letters without an `@` (the plain
 * `[A-Za-z0-9._%+-]+@…`) scans the rest of the run each time, so 100 KB of `a` in one argument
 * stalled the event loop for seconds, and 4 MB for hours. A match is only tried where one can
 * begin: the email at the start of a run of its characters (every later start in the run ends at
 * the same place, so it finds nothing the first did not), the JWT at the first `eyJ` of a run of
 * base64url characters (the lookbehind finds the previous `eyJ` nearest first). What they match
 * is unchanged; `redactor.spec.ts` compares them with the plain forms.
 */
export const DEFAULT_VALUE_PATTERNS: readonly RegExp[] = [
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
  /\beyJ(?<!\beyJ[A-Za-z0-9_-]*?\beyJ)[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

/** Deepest level copied; anything below is replaced by the censor. */
const MAX_DEPTH = 32;

/** One node of the compiled path trie. */
interface PathNode {
  children: Map<string, PathNode>;
  wildcard?: PathNode;
  /** A path ends here: the value at this position is hidden. */
  terminal: boolean;
}

const node = (): PathNode => ({ children: new Map(), terminal: false });

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Hides secrets and personal data in arguments before they are logged or stored: values at
 * configured paths, values under credential-like keys, and emails, bearer tokens and JWTs inside
 * strings. It returns a redacted deep copy and never changes its input, so the tool still
 * receives the real arguments. Paths and patterns are compiled once, in the constructor.
 *
 * @example
 * ```ts
 * const redactor = new Redactor({ paths: ['card.number'] });
 * redactor.redact({ user: 'ada@example.com', password: 'x', card: { number: '4111' } });
 * // { user: '[REDACTED]', password: '[REDACTED]', card: { number: '[REDACTED]' } }
 * ```
 */
export class Redactor {
  private readonly root: PathNode | undefined;
  private readonly keyPatterns: readonly RegExp[];
  private readonly valuePatterns: readonly RegExp[];
  private readonly censor: string;

  constructor(options: RedactionOptions = {}) {
    this.censor = options.censor ?? DEFAULT_CENSOR;
    this.keyPatterns = (options.keyPatterns ?? DEFAULT_KEY_PATTERNS).map(
      (p) => new RegExp(p.source, p.flags.replace(/[gy]/g, '')),
    );
    this.valuePatterns = (options.valuePatterns ?? DEFAULT_VALUE_PATTERNS).map(
      (p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`),
    );
    this.root = compilePaths(options.paths ?? []);
  }

  /**
   * A redacted deep copy of `value` (plain objects, arrays and strings are copied or rewritten;
   * other objects such as dates are kept as they are; cycles become `'[Circular]'`).
   */
  redact<T>(value: T): T {
    return this.walk(value, this.root ? [this.root] : undefined, 0, undefined) as T;
  }

  private walk(
    value: unknown,
    nodes: PathNode[] | undefined,
    depth: number,
    seen: Set<object> | undefined,
  ): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) return value;
    if (depth >= MAX_DEPTH) return this.censor;
    seen ??= new Set();
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    let out: unknown;
    if (isArray) {
      const copy: unknown[] = [];
      for (let i = 0; i < value.length; i++)
        copy.push(this.child(value[i], String(i), nodes, depth, seen, false));
      out = copy;
    } else {
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const redacted = this.child(value[key], key, nodes, depth, seen, true);
        // An own `__proto__` key (JSON.parse makes them) would set the copy's prototype.
        if (key === '__proto__')
          Object.defineProperty(copy, key, { value: redacted, enumerable: true, writable: true });
        else copy[key] = redacted;
      }
      out = copy;
    }
    seen.delete(value);
    return out;
  }

  private child(
    value: unknown,
    key: string,
    nodes: PathNode[] | undefined,
    depth: number,
    seen: Set<object>,
    isKey: boolean,
  ): unknown {
    let next: PathNode[] | undefined;
    if (nodes) {
      for (const n of nodes) {
        const exact = n.children.get(key);
        if (exact) {
          if (exact.terminal) return this.censor;
          (next ??= []).push(exact);
        }
        if (n.wildcard) {
          if (n.wildcard.terminal) return this.censor;
          (next ??= []).push(n.wildcard);
        }
      }
    }
    if (isKey && value !== undefined) {
      for (const pattern of this.keyPatterns) if (pattern.test(key)) return this.censor;
    }
    return this.walk(value, next, depth + 1, seen);
  }

  private redactString(value: string): string {
    let out = value;
    for (const pattern of this.valuePatterns) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, this.censor);
    }
    return out;
  }
}

function compilePaths(paths: readonly string[]): PathNode | undefined {
  if (!paths.length) return undefined;
  const root = node();
  for (const path of paths) {
    const segments = path.split('.').filter((s) => s.length > 0);
    if (!segments.length) throw new Error(`Redaction path "${path}" is empty`);
    let current = root;
    for (const segment of segments) {
      if (segment === '*') current = current.wildcard ??= node();
      else {
        let next = current.children.get(segment);
        if (!next) current.children.set(segment, (next = node()));
        current = next;
      }
    }
    current.terminal = true;
  }
  return root;
}
