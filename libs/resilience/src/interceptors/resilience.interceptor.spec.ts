import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { McpContext, RampartChannel, Tool, ToolError, type RetryEvent } from '@rampart/core';
import { defer, firstValueFrom } from 'rxjs';
import { CircuitBreaker } from '../decorators/circuit-breaker.decorator';
import { Retry } from '../decorators/retry.decorator';
import { Timeout } from '../decorators/timeout.decorator';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { BreakerRegistry } from '../policies/breaker-registry.service';
import { ResiliencePolicies } from '../policies/resilience-policies.service';
import { InMemoryBreakerStateStorage } from '../storage/in-memory-breaker-state.storage';
import { InMemoryIdempotencyStorage } from '../storage/in-memory-idempotency.storage';
import { ResilienceInterceptor } from './resilience.interceptor';

/** A seeded random source (mulberry32), so jitter is reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Tools {
  @Tool({ name: 'jittery', annotations: { readOnlyHint: true } })
  @Retry({ attempts: 4, backoff: 'decorrelated-jitter', initialDelayMs: 100, maxDelayMs: 5_000 })
  jittery() {}

  @Tool({ name: 'breaker', annotations: { readOnlyHint: true } })
  @CircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 10_000 })
  breaker() {}

  @Tool({ name: 'hang', annotations: { readOnlyHint: true } })
  @Timeout({ attemptMs: 1_000 })
  hang() {}
}

function setup(options: ResilienceModuleOptions = {}) {
  const registry = new BreakerRegistry(new InMemoryBreakerStateStorage());
  const policies = new ResiliencePolicies(
    options,
    new Reflector(),
    {} as DiscoveryService,
    new MetadataScanner(),
    registry,
  );
  const interceptor = new ResilienceInterceptor(
    policies,
    new InMemoryIdempotencyStorage(),
    options,
  );
  return { interceptor, registry };
}

function call(
  interceptor: ResilienceInterceptor,
  method: keyof Tools,
  run: (signal: AbortSignal) => Promise<unknown>,
) {
  const controller = new AbortController();
  const ctx = new McpContext(
    { mcpReq: { id: 1, method: 'tools/call', signal: controller.signal, _meta: {} } } as never,
    { transport: 'memory', era: 'modern' },
    'test',
    method,
  );
  const context = {
    getType: () => 'mcp',
    getClass: () => Tools,
    getHandler: () => Tools.prototype[method],
    getArgByIndex: (i: number) => (i === 0 ? {} : ctx),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => defer(() => run(ctx.signal)) };
  return firstValueFrom(interceptor.intercept(context, next));
}

describe('ResilienceInterceptor (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits the seeded decorrelated-jitter delays between attempts and publishes each retry', async () => {
    const events: RetryEvent[] = [];
    const listener = (e: unknown) => events.push(e as RetryEvent);
    subscribe(RampartChannel.retry, listener);
    try {
      const delaysOf = async (seed: number) => {
        events.length = 0;
        const { interceptor } = setup({ random: seeded(seed) });
        let runs = 0;
        const done = call(interceptor, 'jittery', () => {
          runs++;
          return runs < 4 ? Promise.reject(new Error('flaky')) : Promise.resolve('ok');
        });
        for (let i = 0; i < 3; i++) {
          await jest.advanceTimersByTimeAsync(0);
          await jest.advanceTimersByTimeAsync(events.at(-1)?.delayMs ?? 0);
        }
        await expect(done).resolves.toBe('ok');
        expect(runs).toBe(4);
        return events.map((e) => [e.tool, e.attempt, e.delayMs]);
      };
      const first = await delaysOf(42);
      expect(first.map(([tool, attempt]) => [tool, attempt])).toEqual([
        ['jittery', 1],
        ['jittery', 2],
        ['jittery', 3],
      ]);
      expect(await delaysOf(42)).toEqual(first);
    } finally {
      unsubscribe(RampartChannel.retry, listener);
    }
  });

  it('opens after consecutive failures, half-opens after halfOpenAfterMs with a single probe, then closes', async () => {
    const { interceptor, registry } = setup();
    const fail = () => Promise.reject(new Error('down'));
    await expect(call(interceptor, 'breaker', fail)).rejects.toThrow('down');
    await expect(call(interceptor, 'breaker', fail)).rejects.toThrow('down');
    await expect(call(interceptor, 'breaker', fail)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfterMs: 10_000,
    });
    expect(registry.snapshot()).toEqual([{ name: 'breaker', state: 'open', critical: false }]);

    jest.advanceTimersByTime(10_000);
    let release!: (v: string) => void;
    const probe = call(interceptor, 'breaker', () => new Promise((r) => (release = r)));
    await jest.advanceTimersByTimeAsync(0);
    expect(registry.snapshot()[0].state).toBe('half-open');
    // While the probe runs, other calls are refused.
    await expect(call(interceptor, 'breaker', () => Promise.resolve('x'))).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfterMs: 1_000,
    });
    release('recovered');
    await expect(probe).resolves.toBe('recovered');
    expect(registry.snapshot()[0].state).toBe('closed');
    await expect(call(interceptor, 'breaker', () => Promise.resolve('x'))).resolves.toBe('x');
  });

  it('does not count client faults (non-retryable tool errors) against the breaker', async () => {
    const { interceptor, registry } = setup();
    const bad = () =>
      Promise.reject(new ToolError('INVALID_ARGUMENTS', 'bad', { retryable: false }));
    for (let i = 0; i < 3; i++)
      await expect(call(interceptor, 'breaker', bad)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENTS',
      });
    expect(registry.snapshot()[0].state).toBe('closed');
  });

  it('aborts the signal the method sees when the attempt times out, and answers TIMEOUT', async () => {
    const { interceptor } = setup();
    let seen: AbortSignal | undefined;
    const done = call(interceptor, 'hang', (signal) => {
      seen = signal;
      return new Promise(() => undefined);
    });
    const settled = expect(done).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    await jest.advanceTimersByTimeAsync(0);
    expect(seen?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    await settled;
    expect(seen?.aborted).toBe(true);
  });
});
