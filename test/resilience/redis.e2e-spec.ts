import type { Client } from '@modelcontextprotocol/client';
import { MCP_BREAKER_STATES, type McpBreakerStates } from '@rampart/core';
import {
  IDEMPOTENCY_META_KEY,
  ResilienceRedis,
  type ResilienceRedisClient,
} from '@rampart/resilience';
import { createMcpTestApp, type McpTestApp, toolText } from '@rampart/testing';
import { Redis } from 'ioredis';
import { ResilienceFixtureModule, ResilientTools } from './resilience.fixture';
import { TestRedisServer, deleteKeys, freePort, until } from './redis-server';
import { describeWith } from '../services';

type Result = Awaited<ReturnType<Client['callTool']>>;
const body = (r: Result) => JSON.parse(toolText(r)) as Record<string, any>;
const text = toolText;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeWith('redis')('resilience on the shared Redis: two replicas', () => {
  const keyPrefix = `rampart-test:${process.pid}:${Date.now()}:`;
  let admin: Redis;
  let a: McpTestApp;
  let b: McpTestApp;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    const imports = [
      ResilienceFixtureModule.register({ storage: { redis: REDIS_URL, keyPrefix } }),
    ];
    a = await createMcpTestApp({ imports, transport: 'http' });
    b = await createMcpTestApp({ imports, transport: 'http', era: 'legacy' });
    // A replica answers from its insurance limiter until its connection is ready (no offline
    // queue): on a busy machine that can outlast the app's boot.
    for (const replica of [a, b])
      await until(() => replica.app.get(ResilienceRedis).client!.status === 'ready');
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await deleteKeys(admin, keyPrefix);
    admin.disconnect();
  });

  it('shares one rate limit across replicas (and eras)', async () => {
    expect(text(await a.client.callTool({ name: 'limited', arguments: {} }))).toBe('ok 1');
    expect(text(await b.client.callTool({ name: 'limited', arguments: {} }))).toBe('ok 1');
    const refused = await a.client.callTool({ name: 'limited', arguments: {} });
    expect(body(refused)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(body(await b.client.callTool({ name: 'limited', arguments: {} })).code).toBe(
      'RATE_LIMITED',
    );
  });

  it('shares an open breaker: a replica that saw no failure refuses too', async () => {
    const failed = await a.client.callTool({ name: 'shared_breaker', arguments: {} });
    expect(body(failed).code).toBe('INTERNAL_ERROR');
    expect(body(await a.client.callTool({ name: 'shared_breaker', arguments: {} })).code).toBe(
      'CIRCUIT_OPEN',
    );
    const elsewhere = await b.client.callTool({ name: 'shared_breaker', arguments: {} });
    expect(body(elsewhere)).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect(body(elsewhere).retryAfterMs).toBeGreaterThan(0);
    expect(b.app.get(ResilientTools).calls.shared_breaker).toBeUndefined();
    const states = b.app.get<McpBreakerStates>(MCP_BREAKER_STATES).snapshot();
    expect(states).toContainEqual({ name: 'shared_breaker', state: 'open', critical: true });
  });

  it('replays an idempotent result on another replica, and runs concurrent duplicates once', async () => {
    const _meta = { [IDEMPOTENCY_META_KEY]: `k-${Date.now()}` };
    const [x, y] = await Promise.all([
      a.client.callTool({ name: 'charge', arguments: { amount: 3 }, _meta }),
      b.client.callTool({ name: 'charge', arguments: { amount: 3 }, _meta }),
    ]);
    expect(body(x)).toEqual(body(y));
    const runs =
      (a.app.get(ResilientTools).calls.charge ?? 0) + (b.app.get(ResilientTools).calls.charge ?? 0);
    expect(runs).toBe(1);
    expect(
      body(await b.client.callTool({ name: 'charge', arguments: { amount: 4 }, _meta })).code,
    ).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describeWith('redis-server').each(['insurance', 'fail-closed'] as const)(
  'Redis stopped mid-run (%s)',
  (onRedisDown) => {
    let redis: TestRedisServer;
    let t: McpTestApp;
    let client: () => ResilienceRedisClient;

    beforeAll(async () => {
      redis = new TestRedisServer(await freePort());
      await redis.start();
      t = await createMcpTestApp({
        imports: [
          ResilienceFixtureModule.register({
            storage: { redis: redis.url, keyPrefix: 'down-test:' },
            onRedisDown,
            tools: { limited: { rateLimit: { points: 3, perMs: 60_000 } } },
          }),
        ],
        transport: 'http',
      });
      client = () => t.app.get(ResilienceRedis).client!;
      await until(() => client().status === 'ready');
    });

    afterAll(async () => {
      await t.close();
      await redis.stop();
    });

    it('counts in Redis, falls back as configured without a raw error, and recovers', async () => {
      expect(text(await t.client.callTool({ name: 'limited', arguments: {} }))).toBe('ok 1');
      const admin = new Redis(redis.url);
      expect((await admin.keys('down-test:rl:*')).length).toBe(1);
      admin.disconnect();

      await redis.stop();
      await until(() => client().status !== 'ready');
      const during = [];
      for (let i = 0; i < 3; i++)
        during.push(await t.client.callTool({ name: 'limited', arguments: {} }));
      if (onRedisDown === 'insurance') {
        // The insurance limiter (3 per minute in memory) lets every call within the limit through.
        expect(during.map((r) => r.isError ?? false)).toEqual([false, false, false]);
        expect(body(await t.client.callTool({ name: 'limited', arguments: {} })).code).toBe(
          'RATE_LIMITED',
        );
      } else {
        for (const r of during)
          expect(body(r)).toMatchObject({
            code: 'RATE_LIMITED',
            retryable: true,
            details: { storage: 'unavailable' },
          });
      }
      // Idempotency falls back (insurance) or refuses retryably (fail-closed), never a raw error.
      const keyed = await t.client.callTool({
        name: 'charge',
        arguments: { amount: 1 },
        _meta: { [IDEMPOTENCY_META_KEY]: 'during-outage' },
      });
      if (onRedisDown === 'insurance') expect(body(keyed)).toMatchObject({ charged: 1 });
      else expect(body(keyed)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });

      await redis.start();
      await until(() => client().status === 'ready');
      const after = await t.client.callTool({ name: 'limited', arguments: {} });
      expect(after.isError).toBeFalsy();
      const back = new Redis(redis.url);
      expect((await back.keys('down-test:rl:*')).length).toBe(1);
      back.disconnect();
    });
  },
);
