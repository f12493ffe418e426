import { classifyInboundRequest } from '@modelcontextprotocol/server';

/** What the SDK's `classifyInboundRequest` takes. */
export type InboundRequest = Parameters<typeof classifyInboundRequest>[0];
/** What it answers. */
export type InboundOutcome = ReturnType<typeof classifyInboundRequest>;

/** Verdicts kept: one per client setup (headers and `_meta` envelope), far more than a server sees. */
const DEFAULT_CAPACITY = 512;
/** Longest envelope kept, as JSON: a longer one is classified every time, never stored. */
const DEFAULT_MAX_KEY_LENGTH = 4_096;
/** Envelopes kept per frame (headers, method, JSON-RPC fields); the oldest makes room. */
const ENVELOPES_PER_FRAME = 4;
/** Deepest envelope compared; a deeper one is classified every time. */
const MAX_ENVELOPE_DEPTH = 32;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A verdict of the SDK, with a private copy of the envelope it was computed for. */
interface KeptVerdict {
  readonly envelope: unknown;
  readonly outcome: InboundOutcome;
}

/** What a request is looked up by: its frame, as a string, and its `_meta` envelope. */
interface Lookup {
  readonly frame: string;
  readonly envelope: Record<string, unknown>;
}

/**
 * The SDK's classification of inbound HTTP requests (`classifyInboundRequest`: the era, the
 * envelope checks, the header cross-checks), remembered for 2026-07-28 requests it accepted.
 *
 * Why by hand: the SDK's ladder tries every body as a JSON-RPC response first, and both failed
 * zod parses build an error with its issues; with the envelope check that is about 8 µs and the
 * largest allocation of a `tools/call` on the fast path (docs/benchmarks.md). The SDK exports no
 * finer step to call instead, and its rules are not ours to copy. So the verdict is the SDK's,
 * computed once per **key** and reused. The key is the request's frame (the HTTP method, the
 * `MCP-Protocol-Version` and `Mcp-Method` headers, the body's `method` and `jsonrpc` values,
 * whether its `id` is a string or a safe integer, and the names of its top-level members, in
 * order) and its whole `_meta` envelope, compared as a JSON value. For a body that is a plain
 * object without `result` or `error` (so never a response) and is not `initialize`, the SDK's
 * verdict depends on nothing else: the rest of the body (the id's value, the tool's name and
 * arguments, other params) is read later by the dispatcher. `inbound-classifier.spec.ts` holds
 * the SDK to that: it varies everything outside the key and compares the SDK's verdicts, so an
 * SDK that starts reading more fails the suite instead of being served stale verdicts.
 *
 * The envelope is compared member by member with the kept copy instead of being serialized for a
 * map key: measured in the bench server under load, serializing it and the SDK's per-request
 * `isJSONRPCRequest` parse (which the frame now stands for) took 7 to 10 µs of a `tools/call`.
 *
 * Only accepted 2026-07-28 requests are kept; everything else (responses, notifications,
 * batches, legacy requests, rejections, ids that are neither strings nor safe integers,
 * envelopes over `maxKeyLength` characters of JSON or deeper than 32 levels) is classified by
 * the SDK each time, as before. The store holds at most `capacity` verdicts and starts over when
 * full, so a client sending a new envelope on every request costs a few comparisons, one
 * `JSON.stringify` and a map miss more than the SDK alone, and takes nobody's memory.
 *
 * @example
 * ```ts
 * const classifier = new InboundClassifier();
 * const outcome = classifier.classify({ httpMethod: 'POST', protocolVersionHeader, mcpMethodHeader, mcpNameHeader, body });
 * ```
 */
export class InboundClassifier {
  private readonly verdicts = new Map<string, KeptVerdict[]>();
  private kept = 0;

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly maxKeyLength = DEFAULT_MAX_KEY_LENGTH,
  ) {}

  /** The SDK's outcome for `request` (the same object shape; `message` is this request's body). */
  classify(request: InboundRequest): InboundOutcome {
    const lookup = lookupOf(request);
    if (lookup === undefined) return classifyInboundRequest(request);
    const kept = this.verdicts.get(lookup.frame);
    if (kept)
      for (const verdict of kept)
        if (sameJson(verdict.envelope, lookup.envelope, 0))
          return { ...verdict.outcome, message: request.body } as InboundOutcome;
    const outcome = classifyInboundRequest(request);
    if (outcome.kind === 'modern' && outcome.messageKind === 'request') this.keep(lookup, outcome);
    return outcome;
  }

  /** How many verdicts are kept (for tests). */
  get size(): number {
    return this.kept;
  }

  private keep(lookup: Lookup, outcome: InboundOutcome): void {
    let json: string;
    try {
      json = JSON.stringify(lookup.envelope);
    } catch {
      // Nested deeper than the stack allows (JSON.parse accepts it): classified every time.
      return;
    }
    if (json.length > this.maxKeyLength) return;
    // A copy: the request's own objects may be changed by whoever reads them next.
    const envelope = JSON.parse(json) as unknown;
    // One that no request could match (deeper than compared) is not kept.
    if (!sameJson(envelope, lookup.envelope, 0)) return;
    if (this.kept >= this.capacity) {
      this.verdicts.clear();
      this.kept = 0;
    }
    let kept = this.verdicts.get(lookup.frame);
    if (!kept) this.verdicts.set(lookup.frame, (kept = []));
    if (kept.length >= ENVELOPES_PER_FRAME) kept.shift();
    else this.kept++;
    // Kept without the body the verdict was computed for.
    kept.push({
      envelope,
      outcome: { ...outcome, message: undefined } as unknown as InboundOutcome,
    });
  }
}

/** The frame and envelope of a body whose verdict may be kept, else `undefined`. */
function lookupOf(request: InboundRequest): Lookup | undefined {
  const body = request.body;
  if (request.httpMethod !== 'POST' || !isObject(body)) return undefined;
  // A body that may be a response, or the legacy handshake, takes the SDK's whole ladder.
  if ('result' in body || 'error' in body || body.method === 'initialize') return undefined;
  const { jsonrpc, id, method, params } = body;
  if (typeof jsonrpc !== 'string' || typeof method !== 'string' || !isObject(params))
    return undefined;
  const envelope = params._meta;
  if (!isObject(envelope)) return undefined;
  const idKind = typeof id === 'string' ? 's' : Number.isSafeInteger(id) ? 'i' : undefined;
  if (idKind === undefined) return undefined;
  const frame = JSON.stringify([
    request.protocolVersionHeader ?? null,
    request.mcpMethodHeader ?? null,
    method,
    jsonrpc,
    idKind,
    Object.keys(body),
  ]);
  return { frame, envelope };
}

/**
 * Whether two JSON values are equal: the same primitives, arrays of equal elements in order,
 * objects with the same member names and equal values (in any order). Values deeper than
 * {@link MAX_ENVELOPE_DEPTH} are never equal, so such an envelope is classified every time.
 */
function sameJson(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (depth >= MAX_ENVELOPE_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const name in x) {
    if (!Object.hasOwn(x, name)) continue;
    if (!Object.hasOwn(y, name) || !sameJson(x[name], y[name], depth + 1)) return false;
    members++;
  }
  for (const name in y) if (Object.hasOwn(y, name) && --members < 0) return false;
  return members === 0;
}
