import type { Client } from '@modelcontextprotocol/client';
import {
  IDEMPOTENCY_META_KEY,
  RedisBreakerStateStorage,
  RedisIdempotencyStorage,
  RedisRateLimitStorage,
  ResilienceRedis,
  type ResilienceRedisClient,
  StorageUnavailableError,
} from '@rampart/resilience';
import { createMcpTestApp, type McpTestApp, toolText } from '@rampart/testing';
import { Redis } from 'ioredis';
import { ResilienceFixtureModule, ResilientTools } from './resilience.fixture';
import { TestRedisServer, deleteKeys, freePort, until } from './redis-server';
import { describeWith } from '../services';

type Result = Awaited<ReturnType<Client['callTool']>>;
const body = (r: Result) => JSON.parse(toolText(r)) as Record<string, any>;

/** The module's Redis command timeout in these tests. */
const COMMAND_TIMEOUT_MS = 200;
/**
 * How long a call may take while Redis is frozen: the timeout plus plenty of room for a slow
 * machine. Without a command timeout the call would wait for as long as Redis stays frozen.
 */
const ANSWER_BOUND_MS = 25 * COMMAND_TIMEOUT_MS;

/** `promise`, or a rejection naming the stall when it has not settled within the bound. */
async function answered<T>(promise: Promise<T>, redis: TestRedisServer): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms while Redis was frozen`)),
      ANSWER_BOUND_MS,
    );
  });
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearTimeout(timer);
    // The answer came from the fallback: Redis never answered meanwhile.
    expect(redis.frozen).toBe(true);
  }
}

describeWith('redis-server').each(['insurance', 'fail-closed'] as const)(
  'a Redis that stops answering without closing its connections (%s)',
  (onRedisDown) => {
    const keyPrefix = 'frozen-test:';
    let redis: TestRedisServer;
    let t: McpTestApp;
    let client: () => ResilienceRedisClient;
    const call = (
      name: string,
      args: Record<string, unknown> = {},
      _meta?: Record<string, unknown>,
    ) => answered(t.client.callTool({ name, arguments: args, ...(_meta && { _meta }) }), redis);

    /** Runs `during` with Redis frozen (from a ready connection), then thaws it. */
    async function frozen(during: () => Promise<void>): Promise<void> {
      await until(() => client().status === 'ready');
      redis.freeze();
      try {
        await during();
      } finally {
        redis.thaw();
      }
    }

    beforeAll(async () => {
      redis = new TestRedisServer(await freePort());
      await redis.start();
      t = await createMcpTestApp({
        imports: [
          ResilienceFixtureModule.register({
            storage: { redis: redis.url, keyPrefix, commandTimeoutMs: COMMAND_TIMEOUT_MS },
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
      // Thawed first, so that closing the app's connection does not wait on a stopped server.
      redis.thaw();
      await t.close();
      await redis.stop();
    }, 30_000);

    it(`answers rate-limited calls ${onRedisDown === 'insurance' ? 'from the insurance limiter' : 'with RATE_LIMITED'}`, async () => {
      await frozen(async () => {
        const during: Result[] = [];
        for (let i = 0; i < 3; i++) during.push(await call('limited'));
        if (onRedisDown === 'insurance') {
          // The insurance limiter (3 per minute, in memory) counts meanwhile.
          expect(during.map((r) => r.isError ?? false)).toEqual([false, false, false]);
          expect(body(await call('limited'))).toMatchObject({ code: 'RATE_LIMITED' });
        } else {
          for (const r of during)
            expect(body(r)).toMatchObject({
              code: 'RATE_LIMITED',
              retryable: true,
              details: { storage: 'unavailable' },
            });
        }
      });
    }, 30_000);

    it(`answers idempotent calls ${onRedisDown === 'insurance' ? 'from per-process records' : 'with UNAVAILABLE'}`, async () => {
      await frozen(async () => {
        const keyed = await call(
          'charge',
          { amount: 2 },
          { [IDEMPOTENCY_META_KEY]: `frozen-${onRedisDown}` },
        );
        if (onRedisDown === 'insurance') expect(body(keyed)).toMatchObject({ charged: 2 });
        else expect(body(keyed)).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
      });
    }, 30_000);

    it('runs a shared breaker on its own replica', async () => {
      const tools = t.app.get(ResilientTools);
      await frozen(async () => {
        // Reading the shared state times out: the local breaker decides, and opens.
        expect(body(await call('shared_breaker')).code).toBe('INTERNAL_ERROR');
        expect(body(await call('shared_breaker')).code).toBe('CIRCUIT_OPEN');
      });
      expect(tools.calls.shared_breaker).toBe(1);
    }, 30_000);

    it('counts in Redis again once it answers again', async () => {
      await until(() => client().status === 'ready');
      const admin = new Redis(redis.url);
      try {
        // Only Redis can allow a call here: the insurance limiter's 3 a minute are used up, and
        // fail-closed refuses. On a busy machine one command can still fail just after the
        // thaw (a stalled event loop runs the 200 ms timer before it reads the answer, or the
        // connection that saw the freeze is dropped by its socket timeout just then), and the
        // fallback then refuses that call; so call until one is allowed, a bounded number of
        // times. What the frozen server did with the commands it got meanwhile does not matter
        // here: each attempt starts from no counter.
        let allowed = false;
        for (let attempt = 0; attempt < 10 && !allowed; attempt++) {
          await until(() => client().status === 'ready');
          await deleteKeys(admin, `${keyPrefix}rl:`);
          allowed = !(await t.client.callTool({ name: 'limited', arguments: {} })).isError;
        }
        expect(allowed).toBe(true);
        const keys = await admin.keys(`${keyPrefix}rl:*`);
        expect(keys).toHaveLength(1);
        expect(await admin.get(keys[0])).toBe('1');
      } finally {
        admin.disconnect();
      }
    }, 30_000);
  },
);

describeWith('redis-server')(
  'the Redis storages on a frozen Redis, through a client of the app without timeouts',
  () => {
    const keyPrefix = 'frozen-storage-test:';
    let redis: TestRedisServer;
    /** No commandTimeout, no socketTimeout: only the storages' own deadline bounds a command. */
    let client: Redis;

    beforeAll(async () => {
      redis = new TestRedisServer(await freePort());
      await redis.start();
      client = new Redis(redis.url, { enableOfflineQueue: false });
      await until(() => client.status === 'ready');
    });

    afterEach(() => redis.thaw());

    afterAll(async () => {
      redis.thaw();
      client.disconnect();
      await redis.stop();
    });

    it.each(['insurance', 'fail-closed'] as const)(
      'rate limits fall back (%s) and count in Redis again once it answers',
      async (onDown) => {
        const storage = new RedisRateLimitStorage(client, keyPrefix, onDown, COMMAND_TIMEOUT_MS);
        const rule = { id: `frozen-${onDown}`, points: 5, perMs: 60_000 };
        expect(await storage.consume(rule, 'k')).toMatchObject({ allowed: true, remaining: 4 });
        redis.freeze();
        const verdict = await answered(Promise.resolve(storage.consume(rule, 'k')), redis);
        if (onDown === 'insurance')
          // The insurance limiter counts on its own, from a full bucket.
          expect(verdict).toEqual({ allowed: true, remaining: 4, retryAfterMs: 0 });
        else expect(verdict).toMatchObject({ allowed: false, unavailable: true });
        redis.thaw();
        // The client kept its connection: the late answer of the timed-out call counted too.
        expect(await storage.consume(rule, 'k')).toMatchObject({ allowed: true, remaining: 2 });
      },
    );

    it('shared breaker state reads as "not open elsewhere", and writes give up', async () => {
      const storage = new RedisBreakerStateStorage(client, keyPrefix, COMMAND_TIMEOUT_MS);
      const until = Date.now() + 60_000;
      redis.freeze();
      await answered(storage.open('tool', until), redis);
      expect(await answered(storage.openUntil('tool'), redis)).toBeUndefined();
      await answered(storage.close('other'), redis);
      redis.thaw();
      // The write that gave up reached Redis once it answered again.
      expect(await storage.openUntil('tool')).toBe(until);
    });

    it('idempotency records reject with StorageUnavailableError, and work again once it answers', async () => {
      const storage = new RedisIdempotencyStorage(client, keyPrefix, COMMAND_TIMEOUT_MS);
      redis.freeze();
      await expect(answered(storage.claim('k', 'fp', 60_000), redis)).rejects.toThrow(
        StorageUnavailableError,
      );
      await expect(answered(storage.complete('k', 'fp', 1, 60_000), redis)).rejects.toThrow(
        /did not answer within 200 ms/,
      );
      redis.thaw();
      expect(await storage.claim('k2', 'fp', 60_000)).toEqual({ status: 'claimed' });
    });
  },
);
