import { Injectable, type OnModuleInit } from '@nestjs/common';
import { channel } from 'node:diagnostics_channel';
import { IsString } from 'class-validator';
import {
  Args,
  McpModule,
  RampartChannel,
  Tool,
  type BreakerSnapshot,
  type BreakerStateEvent,
  type McpBreakerStates,
} from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { CallRecorder, ObservabilityModule, type HealthOptions } from '@rampart/observability';
import { TestRedisServer, freePort } from '../resilience/redis-server';
import { breakerStatesModule } from './breaker-states.fixture';
import { describeWith, itWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

class GateInput {
  @IsString() text!: string;
}

/** A tool that answers when the test opens its gate. */
@Injectable()
class GatedTools {
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));

  /** Lets every waiting and future call answer. */
  release(): void {
    this.open();
  }

  @Tool({ description: 'Waits for the gate' })
  async gated(@Args() input: GateInput) {
    await this.opened;
    return input.text;
  }
}

/**
 * The event-loop check measures this Jest process, which is the client too: on a busy machine a
 * stall of the tests' own (a module compiled on first use) could take readiness down. The suites
 * here are about the other indicators, so it gets a threshold no such stall reaches; the
 * indicator itself is specified in event-loop-delay.indicator.spec.ts.
 */
const EVENT_LOOP_DELAY_MS = 60_000;

async function boot(options: HealthOptions | true, breakers?: McpBreakerStates) {
  return createMcpTestApp({
    imports: [
      McpModule.forRoot({ name: 'health-e2e', version: '1.0.0' }),
      ObservabilityModule.forRoot({
        health: { eventLoopDelayMs: EVENT_LOOP_DELAY_MS, ...(options === true ? {} : options) },
      }),
      ...(breakers ? [breakerStatesModule(breakers)] : []),
    ],
    providers: [GatedTools],
    transport: 'http',
  });
}

/** How long {@link SlowBoot} keeps the event loop busy while its module starts. */
const BOOT_STALL_MS = 1_500;

/**
 * A provider whose module starts slowly: a synchronous stall in its `onModuleInit`, once the
 * loop has turned (the histogram only measures delays between its own ticks).
 */
@Injectable()
class SlowBoot implements OnModuleInit {
  async onModuleInit(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (const end = Date.now() + BOOT_STALL_MS; Date.now() < end;);
  }
}

async function get(t: McpTestApp, path: string) {
  const res = await fetch(new URL(path, t.url));
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('health probes', () => {
  itWith('redis')(
    'answers liveness and readiness with the heap, event loop, breakers and Redis',
    async () => {
      const t = await boot({ redis: REDIS_URL });
      try {
        const live = await get(t, '/health/live');
        expect(live.status).toBe(200);
        expect(live.body.info.heap).toMatchObject({ status: 'up', usedBytes: expect.any(Number) });
        const ready = await get(t, '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({
          status: 'ok',
          info: {
            shutdown: { status: 'up' },
            event_loop: { status: 'up', thresholdMs: EVENT_LOOP_DELAY_MS },
            breakers: { status: 'up', open: [], criticalOpen: [] },
            redis: { status: 'up' },
          },
        });
      } finally {
        await t.close();
      }
    },
  );

  it("does not count the app's boot against the event loop's first window", async () => {
    // A replica whose modules take long to start is ready once they have: its first readiness
    // check judges the loop from the app's bootstrap on. Counted from the modules' init, the
    // stall below would be in the window (its max at least BOOT_STALL_MS).
    const t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'health-e2e', version: '1.0.0' }),
        ObservabilityModule.forRoot({ health: { eventLoopDelayMs: EVENT_LOOP_DELAY_MS } }),
      ],
      providers: [SlowBoot],
      transport: 'http',
    });
    try {
      const ready = await get(t, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info.event_loop.status).toBe('up');
      expect(ready.body.info.event_loop.maxMs).toBeLessThan(BOOT_STALL_MS - 500);
    } finally {
      await t.close();
    }
  });

  it('is not ready when Redis does not answer', async () => {
    const t = await boot({ redis: 'redis://127.0.0.1:1', redisTimeoutMs: 300 });
    try {
      const ready = await get(t, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.redis.status).toBe('down');
      expect((await get(t, '/health/live')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  describeWith('redis-server')(
    'with a Redis that stops answering without closing its connection',
    () => {
      let redis: TestRedisServer;
      let t: McpTestApp | undefined;

      beforeAll(async () => {
        redis = new TestRedisServer(await freePort());
        await redis.start();
      });
      afterAll(async () => {
        // Thawed first: nothing may wait on a stopped server at the end.
        redis.thaw();
        await t?.close();
        await redis.stop();
      });

      it('is not ready while Redis is frozen, and ready again once it answers', async () => {
        t = await boot({ redis: redis.url, redisTimeoutMs: 300 });
        expect((await get(t, '/health/ready')).body.info.redis).toMatchObject({ status: 'up' });

        redis.freeze();
        for (let i = 0; i < 2; i++) {
          const ready = await get(t, '/health/ready');
          expect(redis.frozen).toBe(true);
          expect(ready.status).toBe(503);
          expect(ready.body.error.redis.status).toBe('down');
        }
        expect((await get(t, '/health/live')).status).toBe(200);

        redis.thaw();
        await until(async () => (await get(t!, '/health/ready')).status === 200);
        expect((await get(t, '/health/ready')).body.info.redis).toMatchObject({ status: 'up' });
      }, 30_000);
    },
  );

  it('fails liveness above the heap threshold', async () => {
    const t = await boot({ heapUsedBytes: 1 });
    try {
      const live = await get(t, '/health/live');
      expect(live.status).toBe(503);
      expect(live.body.error.heap.status).toBe('down');
    } finally {
      await t.close();
    }
  });

  describe('circuit breakers', () => {
    const states: BreakerSnapshot[] = [];
    const provider: McpBreakerStates = { snapshot: () => states };

    it('reports degraded (200) while a critical breaker is open, up for a non-critical one', async () => {
      const t = await boot({ criticalBreakers: ['payments'] }, provider);
      try {
        states.splice(0, states.length, { name: 'search', state: 'open', critical: false });
        let ready = await get(t, '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.info.breakers).toMatchObject({ status: 'up', open: ['search'] });

        states.push({ name: 'payments', state: 'open', critical: false }); // critical by config
        ready = await get(t, '/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe('degraded');
        expect(ready.body.details.breakers).toMatchObject({
          status: 'degraded',
          criticalOpen: ['payments'],
        });
      } finally {
        await t.close();
      }
    });

    it('answers 503 for an open critical breaker with criticalBreakerOpen: down', async () => {
      states.splice(0, states.length, {
        name: 'geo',
        key: 'api.example.com',
        state: 'open',
        critical: true,
      });
      const t = await boot({ criticalBreakerOpen: 'down' }, provider);
      try {
        const ready = await get(t, '/health/ready');
        expect(ready.status).toBe(503);
        // The breaker's name, never its key (a host here).
        expect(ready.body.error.breakers.criticalOpen).toEqual(['geo']);
        expect(JSON.stringify(ready.body)).not.toContain('api.example.com');
      } finally {
        await t.close();
      }
    });

    it('follows the breaker-state channel when no lib provides MCP_BREAKER_STATES', async () => {
      const t = await boot(true);
      const states = channel(RampartChannel.breakerState);
      try {
        states.publish({ name: 'db', state: 'open', critical: true } satisfies BreakerStateEvent);
        expect((await get(t, '/health/ready')).body.status).toBe('degraded');
        states.publish({ name: 'db', state: 'closed', critical: true } satisfies BreakerStateEvent);
        expect((await get(t, '/health/ready')).body.status).toBe('ok');
      } finally {
        await t.close();
      }
    });
  });
});

describe('shutdown', () => {
  it('turns readiness 503 first, lets the in-flight call finish, then closes', async () => {
    const t = await boot({ gracePeriodMs: 10_000 });
    const tools = t.module.get(GatedTools);
    const recorder = t.module.get(CallRecorder);
    const call = t.client.callTool({ name: 'gated', arguments: { text: 'finished' } });
    await until(() => recorder.inFlight() === 1);

    let closed = false;
    const closing = t.app.close().then(() => (closed = true));
    await until(async () => (await get(t, '/health/ready')).status === 503);
    const ready = await get(t, '/health/ready');
    expect(ready.body.error.shutdown).toMatchObject({ shuttingDown: true, inFlight: 1 });
    expect((await get(t, '/health/live')).status).toBe(200);
    expect(closed).toBe(false);

    tools.release();
    const result = await call;
    expect(result.content).toEqual([{ type: 'text', text: 'finished' }]);
    await closing;
    expect(closed).toBe(true);
    await t.client.close().catch(() => undefined);
  });

  it('closes after the grace period even when a call never finishes', async () => {
    const t = await boot({ gracePeriodMs: 300 });
    const recorder = t.module.get(CallRecorder);
    const call = t.client
      .callTool({ name: 'gated', arguments: { text: 'never' } })
      .catch((e: unknown) => e);
    await until(() => recorder.inFlight() === 1);
    await t.app.close(); // resolves although the gate is never opened
    expect(recorder.inFlight()).toBe(1);
    await t.client.close().catch(() => undefined);
    await call;
  });
});
