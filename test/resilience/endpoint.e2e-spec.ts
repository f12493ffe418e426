import { LoadSheddingHook, OVERLOADED_RPC_CODE, RATE_LIMITED_RPC_CODE } from '@rampart/resilience';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { ResilienceFixtureModule, ResilientTools } from './resilience.fixture';
import { until } from './redis-server';
import { openLegacySession, postLegacy } from '../legacy-session';

/** A raw 2026-07-28 `tools/call` over HTTP, to read the status and headers. */
const rawCall = (url: URL, name: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name,
        arguments: {},
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });

describe.each(['express', 'fastify'] as const)(
  'endpoint-wide policies over HTTP (%s)',
  (adapter) => {
    describe('load shedding', () => {
      let t: McpTestApp;
      beforeAll(async () => {
        t = await createMcpTestApp({
          imports: [
            ResilienceFixtureModule.register({
              loadShedding: { maxInFlight: 1, retryAfterMs: 2_000 },
            }),
          ],
          transport: 'http',
          adapter,
        });
      });
      afterAll(() => t.close());

      it('answers 503 with Retry-After over the cap, still serves lists, and admits again once calls end', async () => {
        const tools = t.app.get(ResilientTools);
        const held = t.client.callTool({ name: 'bulk', arguments: {} });
        await until(() => tools.gate.entered === 1);
        const res = await rawCall(t.url!, 'plain');
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('2');
        expect(await res.json()).toMatchObject({
          error: { code: OVERLOADED_RPC_CODE, data: { code: 'OVERLOADED', retryAfterMs: 2_000 } },
        });
        expect((await t.client.listTools()).tools.length).toBeGreaterThan(0);
        tools.gate.open();
        await held;
        await until(() => t.app.get(LoadSheddingHook).current === 0);
        expect((await rawCall(t.url!, 'plain')).status).toBe(200);
      });
    });

    describe('endpoint rate limit', () => {
      let t: McpTestApp;
      beforeAll(async () => {
        t = await createMcpTestApp({
          imports: [
            ResilienceFixtureModule.register({
              endpointRateLimit: { points: 2, perMs: 60_000, key: 'ip' },
            }),
          ],
          transport: 'http',
          adapter,
        });
      });
      afterAll(() => t.close());

      it('answers 429 with Retry-After once the caller used its points', async () => {
        expect((await rawCall(t.url!, 'plain')).status).toBe(200);
        expect((await rawCall(t.url!, 'plain')).status).toBe(200);
        const res = await rawCall(t.url!, 'plain');
        expect(res.status).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await res.json()).toMatchObject({
          error: { code: RATE_LIMITED_RPC_CODE, data: { code: 'RATE_LIMITED' } },
        });
      });
    });
  },
);

describe('endpoint-wide policies on 2025-era batches', () => {
  let t: McpTestApp;
  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [
        ResilienceFixtureModule.register({
          endpointRateLimit: { points: 3, perMs: 60_000, key: 'ip' },
        }),
      ],
      transport: 'http',
      adapter: 'express',
      era: 'legacy',
    });
  });
  afterAll(() => t.close());

  const call = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'plain', arguments: {} },
  });

  it('counts every request of a batch against the endpoint rate limit', async () => {
    // The attack: 100 calls in one POST (JSON-RPC batches, which protocol 2025-03-26 clients
    // may send) went past the admission hooks, so an endpoint limit of 3 served all of them.
    const session = await openLegacySession(t.url!);

    const tools = t.app.get(ResilientTools);
    const before = tools.calls.plain ?? 0;
    const batch = await session.post(Array.from({ length: 100 }, (_, i) => call(i + 1)));
    expect(batch.status).toBe(429);
    expect(await batch.json()).toMatchObject({
      error: { code: RATE_LIMITED_RPC_CODE, data: { code: 'RATE_LIMITED' } },
    });
    expect((tools.calls.plain ?? 0) - before).toBeLessThanOrEqual(3);
  });

  it('refuses a batch of more than 100 messages before routing any of it', async () => {
    const res = await postLegacy(
      t.url!,
      Array.from({ length: 101 }, (_, i) => call(i + 1)),
      { 'mcp-session-id': 'any-session', 'mcp-protocol-version': '2025-03-26' },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: -32600, message: 'Invalid Request: Batch must not exceed 100 messages' },
    });
  });
});

describe('endpoint-wide policies in memory (as on stdio)', () => {
  it('refuse with a JSON-RPC error carrying the code and retryAfterMs', async () => {
    const t = await createMcpTestApp({
      imports: [
        ResilienceFixtureModule.register({ endpointRateLimit: { points: 1, perMs: 60_000 } }),
      ],
    });
    try {
      await t.client.callTool({ name: 'plain', arguments: {} });
      await expect(t.client.callTool({ name: 'plain', arguments: {} })).rejects.toMatchObject({
        code: RATE_LIMITED_RPC_CODE,
        data: { code: 'RATE_LIMITED' },
      });
    } finally {
      await t.close();
    }
  });
});
