import { classifyInboundRequest, isJSONRPCRequest } from '@modelcontextprotocol/server';

/** What the SDK's `classifyInboundRequest` takes. */
export type InboundRequest = Parameters<typeof classifyInboundRequest>[0];
/** What it answers. */
export type InboundOutcome = ReturnType<typeof classifyInboundRequest>;

/** Verdicts kept: one per client setup (headers and `_meta` envelope), far more than a server sees. */
const DEFAULT_CAPACITY = 512;
/** Longest key kept: an envelope beyond this is classified every time, never stored. */
const DEFAULT_MAX_KEY_LENGTH = 4_096;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The SDK's classification of inbound HTTP requests (`classifyInboundRequest`: the era, the
 * envelope checks, the header cross-checks), remembered for 2026-07-28 requests it accepted.
 *
 * Why by hand: the SDK's ladder tries every body as a JSON-RPC response first, and both failed
 * zod parses build an error with its issues; with the envelope check that is about 8 µs and the
 * largest allocation of a `tools/call` on the fast path (docs/benchmarks.md). The SDK exports no
 * finer step to call instead, and its rules are not ours to copy. So the verdict is the SDK's,
 * computed once per **key** and reused: the HTTP method, the `MCP-Protocol-Version` and
 * `Mcp-Method` headers, the body's `method` and its whole `_meta` (as JSON). For a body that is a
 * plain object without `result` or `error` (so never a response), passes the SDK's own
 * `isJSONRPCRequest`, and is not `initialize`, that verdict depends on nothing else: the rest of
 * the body (id, name, arguments, other params) is checked by `isJSONRPCRequest` on every request
 * and later by the dispatcher. `inbound-classifier.spec.ts` holds the SDK to that: it varies
 * everything outside the key and compares the SDK's verdicts, so an SDK that starts reading more
 * fails the suite instead of being served stale verdicts.
 *
 * Only accepted 2026-07-28 requests are kept; everything else (responses, notifications,
 * batches, legacy requests, rejections, keys over `maxKeyLength`) is classified by the SDK each
 * time, as before. The store holds at most `capacity` keys and starts over when full, so a client
 * sending a new envelope on every request costs one `JSON.stringify` and a map miss more than
 * the SDK alone, and takes nobody's memory.
 *
 * @example
 * ```ts
 * const classifier = new InboundClassifier();
 * const outcome = classifier.classify({ httpMethod: 'POST', protocolVersionHeader, mcpMethodHeader, mcpNameHeader, body });
 * ```
 */
export class InboundClassifier {
  private readonly verdicts = new Map<string, InboundOutcome>();

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly maxKeyLength = DEFAULT_MAX_KEY_LENGTH,
  ) {}

  /** The SDK's outcome for `request` (the same object shape; `message` is this request's body). */
  classify(request: InboundRequest): InboundOutcome {
    const key = this.keyOf(request);
    if (key === undefined) return classifyInboundRequest(request);
    const known = this.verdicts.get(key);
    if (known) return { ...known, message: request.body } as InboundOutcome;
    const outcome = classifyInboundRequest(request);
    if (outcome.kind === 'modern' && outcome.messageKind === 'request') {
      if (this.verdicts.size >= this.capacity) this.verdicts.clear();
      // Kept without the body it was computed for.
      this.verdicts.set(key, { ...outcome, message: undefined } as unknown as InboundOutcome);
    }
    return outcome;
  }

  /** How many verdicts are kept (for tests). */
  get size(): number {
    return this.verdicts.size;
  }

  private keyOf(request: InboundRequest): string | undefined {
    const body = request.body;
    if (request.httpMethod !== 'POST' || !isObject(body)) return undefined;
    // A body that may be a response, or the legacy handshake, takes the SDK's whole ladder.
    if ('result' in body || 'error' in body || body.method === 'initialize') return undefined;
    if (!isJSONRPCRequest(body)) return undefined;
    const params = body.params;
    const meta = isObject(params) ? params._meta : undefined;
    if (!isObject(meta)) return undefined;
    const key = JSON.stringify([
      request.protocolVersionHeader ?? null,
      request.mcpMethodHeader ?? null,
      body.method,
      meta,
    ]);
    return key.length <= this.maxKeyLength ? key : undefined;
  }
}
