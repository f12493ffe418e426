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
 * stale from the store. The id's value (within its kind: a string, or a safe integer), the
 * tool's name and arguments, other params.
 */
const OUTSIDE_THE_KEY: ((params: Record<string, unknown>) => Record<string, unknown>)[] = [
  (params) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 'req-a', method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: '', method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 'x'.repeat(500), method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 987654321, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: 0, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: -0, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: -7, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: Number.MAX_SAFE_INTEGER, method: 'tools/call', params }),
  (params) => ({ jsonrpc: '2.0', id: -Number.MAX_SAFE_INTEGER, method: 'tools/call', params }),
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
  (params) => ({ method: 'tools/call', params, id: 6, jsonrpc: '2.0' }),
];

/**
 * Frames the key tells apart, each with the same envelope as an accepted request: a request
 * that differs from an accepted one only here must get the SDK's own verdict, never the kept one.
 */
const OTHER_FRAMES: Record<string, (params: Record<string, unknown>) => Record<string, unknown>> = {
  'a fractional id': (params) => ({ jsonrpc: '2.0', id: 1.5, method: 'tools/call', params }),
  'an id beyond the safe integers': (params) => ({
    jsonrpc: '2.0',
    id: 2 ** 60,
    method: 'tools/call',
    params,
  }),
  'a null id': (params) => ({ jsonrpc: '2.0', id: null, method: 'tools/call', params }),
  'a boolean id': (params) => ({ jsonrpc: '2.0', id: true, method: 'tools/call', params }),
  'an object id': (params) => ({ jsonrpc: '2.0', id: { n: 1 }, method: 'tools/call', params }),
  'an array id': (params) => ({ jsonrpc: '2.0', id: [1], method: 'tools/call', params }),
  'no id (a notification)': (params) => ({ jsonrpc: '2.0', method: 'tools/call', params }),
  'jsonrpc 1.0': (params) => ({ jsonrpc: '1.0', id: 1, method: 'tools/call', params }),
  'a numeric jsonrpc': (params) => ({ jsonrpc: 2, id: 1, method: 'tools/call', params }),
  'no jsonrpc': (params) => ({ id: 1, method: 'tools/call', params }),
  'another method': (params) => ({ jsonrpc: '2.0', id: 1, method: 'tools/list', params }),
  'a numeric method': (params) => ({ jsonrpc: '2.0', id: 1, method: 7, params }),
  'an extra top-level member': (params) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params,
    extra: 'top-level',
  }),
  'params as an array': (params) => ({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: [params],
  }),
};

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
        const bodies = OUTSIDE_THE_KEY.map((build) =>
          build({ name: 'echo', arguments: {}, _meta: meta }),
        );
        for (const body of bodies) expect(isJSONRPCRequest(body)).toBe(true);
        const verdicts = bodies.map((body) =>
          verdict(classifyInboundRequest({ httpMethod: 'POST', ...headers, body })),
        );
        for (const v of verdicts) expect(v).toEqual(verdicts[0]);
        // An envelope with its members in another order is the same envelope to the SDK.
        const reordered = Object.fromEntries(Object.entries(meta).reverse());
        expect(
          verdict(
            classifyInboundRequest({
              httpMethod: 'POST',
              ...headers,
              body: OUTSIDE_THE_KEY[0]({ name: 'echo', arguments: {}, _meta: reordered }),
            }),
          ),
        ).toEqual(verdicts[0]);
        compared += verdicts.length;
      }
    expect(compared).toBe(Object.keys(ENVELOPES).length * HEADERS.length * OUTSIDE_THE_KEY.length);
  });

  it.each(Object.entries(OTHER_FRAMES))(
    'never serves a kept verdict to a request with %s and an accepted envelope',
    (_name, build) => {
      // The attack: a client sends one valid request, so that its verdict is kept, then the
      // same envelope in a frame the SDK would judge on its own (a malformed request, perhaps
      // refused), hoping to be waved through by the store.
      const classifier = new InboundClassifier();
      const headers = { protocolVersionHeader: V, mcpMethodHeader: 'tools/call' };
      const params = { name: 'echo', arguments: {}, _meta: ENVELOPE };
      const valid = OUTSIDE_THE_KEY[0](params);
      expect(classifier.classify({ httpMethod: 'POST', ...headers, body: valid }).kind).toBe(
        'modern',
      );
      expect(classifier.size).toBe(1);
      for (const body of [build(params), build(params)]) {
        const request: InboundRequest = { httpMethod: 'POST', ...headers, body };
        expect(verdict(classifier.classify(request))).toEqual(
          verdict(classifyInboundRequest(request)),
        );
      }
    },
  );

  it('at least some of those frames are refused by the SDK, so the test above can fail', () => {
    const params = { name: 'echo', arguments: {}, _meta: ENVELOPE };
    const refused = Object.values(OTHER_FRAMES).filter(
      (build) =>
        classifyInboundRequest({
          httpMethod: 'POST',
          protocolVersionHeader: V,
          mcpMethodHeader: 'tools/call',
          body: build(params),
        }).kind === 'reject',
    );
    expect(refused.length).toBeGreaterThanOrEqual(8);
  });

  it('keeps its own copy of an envelope: changing a request after it was classified changes nothing', () => {
    const classifier = new InboundClassifier();
    const meta = structuredClone(ENVELOPE) as Record<string, unknown>;
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } };
    expect(classifier.classify({ httpMethod: 'POST', body }).kind).toBe('modern');
    // Whoever reads the request next rewrites its envelope into one the SDK refuses...
    meta['io.modelcontextprotocol/clientInfo'] = { name: 7 };
    // ... and a request that really carries that envelope still gets the SDK's refusal.
    const bad = {
      httpMethod: 'POST',
      body: { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { ...meta } } },
    };
    expect(verdict(classifier.classify(bad))).toEqual(verdict(classifyInboundRequest(bad)));
    expect(classifyInboundRequest(bad).kind).toBe('reject');
  });

  it.each([40, 200_000])(
    'classifies an envelope %i levels deep every time, without failing',
    (levels) => {
      const classifier = new InboundClassifier();
      // JSON.parse takes 200,000 levels; JSON.stringify of them overflows the stack.
      const deep = JSON.parse(`${'{"d":'.repeat(levels)}1${'}'.repeat(levels)}`) as unknown;
      const request: InboundRequest = {
        httpMethod: 'POST',
        body: {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: { _meta: { ...ENVELOPE, 'example.com/deep': deep } },
        },
      };
      for (let i = 0; i < 3; i++)
        expect(classifier.classify(request).kind).toBe(classifyInboundRequest(request).kind);
      expect(classifier.size).toBe(0);
    },
  );

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
