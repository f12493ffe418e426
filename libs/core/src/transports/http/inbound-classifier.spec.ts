import {
  classifyInboundRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
} from '@modelcontextprotocol/server';
import { InboundClassifier, type InboundOutcome, type InboundRequest } from './inbound-classifier';

const V = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientInfo': { name: 'client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** Envelopes a client may send, valid or not: what the verdict is computed from. */
const ENVELOPES: Record<string, Record<string, unknown>> = {
  plain: ENVELOPE,
  withLogLevel: { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'debug' },
  badLogLevel: { ...ENVELOPE, 'io.modelcontextprotocol/logLevel': 'loud' },
  withProgress: { ...ENVELOPE, progressToken: 'p-1' },
  withTrace: {
    ...ENVELOPE,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
  badTrace: { ...ENVELOPE, traceparent: 'not a traceparent' },
  noClientInfo: {
    'io.modelcontextprotocol/protocolVersion': V,
    'io.modelcontextprotocol/clientCapabilities': {},
  },
  badClientInfo: { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 7 } },
  noCapabilities: {
    'io.modelcontextprotocol/protocolVersion': V,
    'io.modelcontextprotocol/clientInfo': { name: 'client', version: '1.0.0' },
  },
  legacyClaim: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' },
  numericClaim: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': 20260728 },
  futureClaim: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2027-01-01' },
  noClaim: { progressToken: 1 },
};

/** Header sets: the version and method headers, with and without optional whitespace. */
const HEADERS: { protocolVersionHeader?: string; mcpMethodHeader?: string }[] = [
  {},
  { protocolVersionHeader: V },
  { protocolVersionHeader: ` ${V}\t` },
  { protocolVersionHeader: '2025-11-25' },
  { protocolVersionHeader: V, mcpMethodHeader: 'tools/call' },
  { protocolVersionHeader: V, mcpMethodHeader: 'tools/list' },
  { mcpMethodHeader: ' tools/call ' },
];

/**
 * What the key leaves out, varied: a verdict that changed with any of these would be served
 * stale from the store.
 */
const OUTSIDE_THE_KEY: ((params: Record<string, unknown>) => Record<string, unknown>)[] = [
  (params) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 'req-a', method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 987654321, method: 'tools/call', params }),
  (params) => ({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { ...params, name: 'other' },
  }),
  (params) => ({
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/call',
    params: { ...params, arguments: { text: 'x'.repeat(300), n: 1, nested: { a: [1, 2] } } },
  }),
  (params) => ({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { _meta: params._meta } }),
  (params) => ({
    jsonrpc: '2.0',
    id: 5,
    method: 'tools/call',
    params: { ...params, cursor: 'c', extra: true },
  }),
  (params) => ({ jsonrpc: '2.0', id: 6, method: 'tools/call', params, extra: 'top-level' }),
];

/** The outcome without the body it names, which is each request's own; errors by their fields. */
function verdict(outcome: InboundOutcome): unknown {
  const { message: _message, ...rest } = outcome as InboundOutcome & { message?: unknown };
  return JSON.parse(
    JSON.stringify(rest, (_k, v: unknown) =>
      v instanceof Error ? { error: v.message, ...Object.fromEntries(Object.entries(v)) } : v,
    ),
  );
}

function requests(): InboundRequest[] {
  const all: InboundRequest[] = [];
  for (const meta of Object.values(ENVELOPES))
    for (const headers of HEADERS)
      for (const build of OUTSIDE_THE_KEY)
        all.push({
          httpMethod: 'POST',
          ...headers,
          mcpNameHeader: 'echo',
          body: build({ name: 'echo', arguments: { text: 'hi' }, _meta: meta }),
        });
  return all;
}

describe('InboundClassifier', () => {
  it('answers exactly what the SDK answers, for every request, in any order, stored or not', () => {
    const classifier = new InboundClassifier();
    const all = requests();
    // Twice over, the second time from the store, and once reversed.
    for (const request of [...all, ...all, ...[...all].reverse()]) {
      const expected = classifyInboundRequest(request);
      const actual = classifier.classify(request);
      expect(verdict(actual)).toEqual(verdict(expected));
      expect((actual as { message?: unknown }).message).toBe(
        (expected as { message?: unknown }).message,
      );
    }
    // Some verdicts were stored and reused: one per envelope and header set that the SDK accepts.
    expect(classifier.size).toBeGreaterThan(0);
  });

  it('holds the SDK to the key: varying what the key leaves out never changes its verdict', () => {
    let compared = 0;
    for (const meta of Object.values(ENVELOPES))
      for (const headers of HEADERS) {
        // Bodies the SDK's own isJSONRPCRequest refuses are never stored: checked every time.
        const verdicts = OUTSIDE_THE_KEY.map((build) =>
          build({ name: 'echo', arguments: {}, _meta: meta }),
        )
          .filter((body) => isJSONRPCRequest(body))
          .map((body) => verdict(classifyInboundRequest({ httpMethod: 'POST', ...headers, body })));
        for (const v of verdicts) expect(v).toEqual(verdicts[0]);
        compared += verdicts.length;
      }
    expect(compared).toBeGreaterThan(Object.keys(ENVELOPES).length * HEADERS.length * 5);
  });

  it('takes no body without "result" or "error" for a response (so the SDK never would)', () => {
    for (const request of requests()) {
      expect(isJSONRPCResultResponse(request.body)).toBe(false);
      expect(isJSONRPCErrorResponse(request.body)).toBe(false);
    }
  });

  it('leaves responses, notifications, batches, initialize and other methods to the SDK every time', () => {
    const classifier = new InboundClassifier();
    const others: InboundRequest[] = [
      { httpMethod: 'POST', body: { jsonrpc: '2.0', id: 1, result: { _meta: ENVELOPE } } },
      { httpMethod: 'POST', body: { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } } },
      {
        httpMethod: 'POST',
        body: {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { _meta: ENVELOPE },
          result: {},
        },
      },
      {
        httpMethod: 'POST',
        body: { jsonrpc: '2.0', method: 'notifications/x', params: { _meta: ENVELOPE } },
      },
      { httpMethod: 'POST', body: [{ jsonrpc: '2.0', id: 1, method: 'ping' }] },
      {
        httpMethod: 'POST',
        body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { _meta: ENVELOPE } },
      },
      { httpMethod: 'GET', protocolVersionHeader: V, body: undefined },
      {
        httpMethod: 'POST',
        body: { jsonrpc: '1.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } },
      },
      {
        httpMethod: 'POST',
        body: { jsonrpc: '2.0', id: null, method: 'tools/list', params: { _meta: ENVELOPE } },
      },
      { httpMethod: 'POST', body: 'tools/list' },
    ];
    for (const request of [...others, ...others])
      expect(verdict(classifier.classify(request))).toEqual(
        verdict(classifyInboundRequest(request)),
      );
    expect(classifier.size).toBe(0);
  });

  it('keeps at most its capacity, and never an envelope longer than its key limit', () => {
    const classifier = new InboundClassifier(4, 512);
    const call = (meta: Record<string, unknown>) =>
      classifier.classify({
        httpMethod: 'POST',
        body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } },
      });
    // A client sending a new envelope on every request: the store starts over, it never grows.
    for (let i = 0; i < 50; i++) {
      expect(call({ ...ENVELOPE, progressToken: i }).kind).toBe('modern');
      expect(classifier.size).toBeLessThanOrEqual(4);
    }
    const fresh = new InboundClassifier(4, 512);
    const huge = {
      ...ENVELOPE,
      'io.modelcontextprotocol/clientInfo': { name: 'c'.repeat(600), version: '1' },
    };
    const outcome = fresh.classify({
      httpMethod: 'POST',
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: huge } },
    });
    expect(outcome.kind).toBe('modern');
    expect(fresh.size).toBe(0);
  });
});
