import type { Client } from '@modelcontextprotocol/client';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { McpModule, Tool } from '@rampart/core';
import {
  IDEMPOTENCY_META_KEY,
  MAX_IDEMPOTENCY_KEY_CHARS,
  ResilienceDefinitionError,
  ResilienceModule,
  Retry,
} from '@rampart/resilience';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp, toolText } from '@rampart/testing';
import { ResilienceFixtureModule, ResilientTools } from './resilience.fixture';

type Result = Awaited<ReturnType<Client['callTool']>>;
const body = (r: Result) => JSON.parse(toolText(r)) as Record<string, any>;
const text = toolText;

describe.each(mcpTestMatrix((s) => s.adapter !== 'fastify'))('resilience over %s', (_n, setup) => {
  let t: McpTestApp;
  let tools: ResilientTools;

  beforeEach(async () => {
    t = await createMcpTestApp({ imports: [ResilienceFixtureModule.register()], ...setup });
    tools = t.app.get(ResilientTools);
  });
  afterEach(() => t.close());

  it('refuses the call over a rate limit with RATE_LIMITED and retryAfterMs', async () => {
    expect(text(await t.client.callTool({ name: 'limited', arguments: {} }))).toBe('ok 1');
    expect(text(await t.client.callTool({ name: 'limited', arguments: {} }))).toBe('ok 2');
    const refused = await t.client.callTool({ name: 'limited', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(body(refused)).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { limit: 'burst' },
    });
    expect(body(refused).retryAfterMs).toBeGreaterThan(0);
    expect(tools.calls.limited).toBe(2);
  });

  it('retries a transient failure until it succeeds', async () => {
    expect(text(await t.client.callTool({ name: 'flaky', arguments: {} }))).toBe('recovered');
    expect(tools.calls.flaky).toBe(3);
  });

  it('never retries a tool error that says retryable: false', async () => {
    const r = await t.client.callTool({ name: 'refused', arguments: {} });
    expect(body(r)).toMatchObject({ code: 'BAD_INPUT', retryable: false });
    expect(tools.calls.refused).toBe(1);
  });

  it('runs the breaker inside the retry whatever the decorator order, then answers CIRCUIT_OPEN', async () => {
    const first = await t.client.callTool({ name: 'broken', arguments: {} });
    // Two failures open the breaker; the retry's third attempt meets the open circuit and stops.
    expect(tools.calls.broken).toBe(2);
    expect(body(first)).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect(body(first).retryAfterMs).toBeGreaterThan(0);
    const second = await t.client.callTool({ name: 'broken', arguments: {} });
    expect(body(second).code).toBe('CIRCUIT_OPEN');
    expect(tools.calls.broken).toBe(2);
  });

  it('times an attempt out with TIMEOUT and aborts ctx.signal so the method stops', async () => {
    const r = await t.client.callTool({ name: 'slow', arguments: {} });
    expect(body(r)).toMatchObject({ code: 'TIMEOUT', retryable: true, details: { attemptMs: 50 } });
    expect(tools.timedOutSignalAborted).toBe(true);
  });

  it('bounds retries by the overall timeout', async () => {
    const r = await t.client.callTool({ name: 'deadline', arguments: {} });
    expect(body(r)).toMatchObject({ code: 'TIMEOUT', details: { overallMs: 100 } });
    const ran = tools.calls.deadline;
    expect(ran).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(tools.calls.deadline).toBeLessThanOrEqual(ran + 1);
  });

  it('answers OVERLOADED when the bulkhead and its queue are full', async () => {
    const calls = [1, 2, 3].map(() => t.client.callTool({ name: 'bulk', arguments: {} }));
    const third = await Promise.race([calls[2], calls[1], calls[0]]);
    expect(body(third)).toMatchObject({ code: 'OVERLOADED', retryable: true });
    expect(tools.calls.bulk).toBe(1);
    while (tools.gate.entered < 1) await new Promise((r) => setTimeout(r, 5));
    tools.gate.open();
    // The queued call enters once the first has left: open the gate again only then.
    while (tools.gate.entered < 2) await new Promise((r) => setTimeout(r, 5));
    tools.gate.open();
    const results = await Promise.all(calls);
    expect(results.filter((r) => !r.isError).map(text)).toEqual(['done', 'done']);
    expect(tools.calls.bulk).toBe(2);
  });

  it('replays an idempotent call, also for concurrent duplicates, and refuses a reused key', async () => {
    const meta = { [IDEMPOTENCY_META_KEY]: 'order-1' };
    const [a, b] = await Promise.all([
      t.client.callTool({ name: 'charge', arguments: { amount: 5 }, _meta: meta }),
      t.client.callTool({ name: 'charge', arguments: { amount: 5 }, _meta: meta }),
    ]);
    expect(body(a)).toEqual({ charged: 5, run: 1 });
    expect(body(b)).toEqual({ charged: 5, run: 1 });
    const later = await t.client.callTool({
      name: 'charge',
      arguments: { amount: 5 },
      _meta: meta,
    });
    expect(body(later)).toEqual({ charged: 5, run: 1 });
    const reused = await t.client.callTool({
      name: 'charge',
      arguments: { amount: 6 },
      _meta: meta,
    });
    expect(body(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    const byArgument = await t.client.callTool({
      name: 'charge',
      arguments: { amount: 7, requestId: 'r-9' },
    });
    expect(body(byArgument)).toEqual({ charged: 7, run: 2 });
    expect(
      body(await t.client.callTool({ name: 'charge', arguments: { amount: 7, requestId: 'r-9' } })),
    ).toEqual({ charged: 7, run: 2 });
    expect(tools.calls.charge).toBe(2);
  });

  it('refuses an idempotency key longer than 255 characters, before running or storing anything', async () => {
    // The attack: a key of the body limit's size, stored with its result for the whole ttlMs.
    const before = tools.calls.charge ?? 0;
    const longest = 'k'.repeat(MAX_IDEMPOTENCY_KEY_CHARS);
    const refused = await t.client.callTool({
      name: 'charge',
      arguments: { amount: 8 },
      _meta: { [IDEMPOTENCY_META_KEY]: `${longest}k` },
    });
    expect(refused.isError).toBe(true);
    expect(body(refused)).toMatchObject({
      code: 'INVALID_IDEMPOTENCY_KEY',
      retryable: false,
      message: `An idempotency key has at most 255 characters; this one has 256.`,
    });
    expect(tools.calls.charge ?? 0).toBe(before);
    const accepted = await t.client.callTool({
      name: 'charge',
      arguments: { amount: 8 },
      _meta: { [IDEMPOTENCY_META_KEY]: longest },
    });
    expect(body(accepted)).toMatchObject({ charged: 8 });
    expect(tools.calls.charge).toBe(before + 1);
  });

  it('leaves tools without a policy alone', async () => {
    expect(text(await t.client.callTool({ name: 'plain', arguments: {} }))).toBe('plain');
  });
});

describe('module options', () => {
  it('per-tool overrides in `tools` replace the decorator', async () => {
    const t = await createMcpTestApp({
      imports: [
        ResilienceFixtureModule.register({
          tools: { limited: { rateLimit: { points: 1, perMs: 60_000 } } },
        }),
      ],
    });
    try {
      await t.client.callTool({ name: 'limited', arguments: {} });
      const r = await t.client.callTool({ name: 'limited', arguments: {} });
      expect(body(r).code).toBe('RATE_LIMITED');
    } finally {
      await t.close();
    }
  });

  it('applies defaults to every tool', async () => {
    const t = await createMcpTestApp({
      imports: [
        ResilienceFixtureModule.register({ defaults: { rateLimit: { points: 1, perMs: 60_000 } } }),
      ],
    });
    try {
      await t.client.callTool({ name: 'plain', arguments: {} });
      expect(body(await t.client.callTool({ name: 'plain', arguments: {} })).code).toBe(
        'RATE_LIMITED',
      );
    } finally {
      await t.close();
    }
  });

  it('refuses at boot a @Retry on a tool that is neither idempotent nor read-only', async () => {
    @Injectable()
    class Payments {
      @Tool({ name: 'pay' })
      @Retry({ attempts: 3 })
      pay() {
        return 'paid';
      }
    }
    @Module({
      imports: [McpModule.forRoot({ name: 'p', version: '1.0.0' }), ResilienceModule.forRoot({})],
      providers: [Payments],
    })
    class PaymentsModule {}
    const module = await Test.createTestingModule({ imports: [PaymentsModule] }).compile();
    const app = module.createNestApplication({ logger: false });
    const boot = app.init();
    await expect(boot).rejects.toThrow(ResilienceDefinitionError);
    await expect(boot).rejects.toThrow(/Payments\.pay.*"pay".*idempotentHint.*unsafe: true/s);
    await app.close().catch(() => undefined);
  });

  it('refuses bad module options with a named error', async () => {
    const module = Test.createTestingModule({
      imports: [
        ResilienceFixtureModule.register({
          tools: { limited: { rateLimit: { points: 0, perMs: 1000 } } },
        }),
      ],
    });
    await expect(module.compile()).rejects.toThrow(
      /tools\["limited"\]\.rateLimit: points must be a positive integer/,
    );
  });

  it.each([
    [{ loadShedding: { maxInFlight: 10, retryAfterMs: -1 } }, /loadShedding\.retryAfterMs/],
    [{ storage: 'redis' }, /option storage: 'memory' or \{ redis/],
    // Refused before a client is created: nothing is left reconnecting to the URL.
    [
      { storage: { redis: 'redis://127.0.0.1:1', commandTimeoutMs: -1 } },
      /option storage\.commandTimeoutMs: a positive integer/,
    ],
    [{ random: 0.5 }, /option random: a function/],
  ])('refuses the module option %j at boot', async (options, message) => {
    const module = Test.createTestingModule({
      imports: [ResilienceFixtureModule.register(options as never)],
    });
    await expect(module.compile()).rejects.toThrow(message);
  });

  it('is configured through forRootAsync, and global by default', async () => {
    @Module({
      imports: [
        McpModule.forRoot({ name: 'a', version: '1.0.0' }),
        ResilienceModule.forRootAsync({
          useFactory: () => ({ tools: { limited: { rateLimit: { points: 1, perMs: 60_000 } } } }),
        }),
      ],
      providers: [ResilientTools],
    })
    class AsyncModule {}
    const t = await createMcpTestApp({ imports: [AsyncModule] });
    try {
      await t.client.callTool({ name: 'limited', arguments: {} });
      expect(body(await t.client.callTool({ name: 'limited', arguments: {} })).code).toBe(
        'RATE_LIMITED',
      );
    } finally {
      await t.close();
    }
  });
});
