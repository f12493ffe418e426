import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  McpRegistry,
  McpServers,
  RampartChannel,
  Tool,
  ToolError,
  ToolMetadata,
  type McpServerHost,
  type BreakerStateEvent,
  type RetryEvent,
} from '@rampart/core';
import { fakeMcpCall } from '@rampart/testing';
import { defer, firstValueFrom } from 'rxjs';
import { CircuitBreaker } from '../decorators/circuit-breaker.decorator';
import { Idempotent } from '../decorators/idempotent.decorator';
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

  @Tool({ name: 'keyed', annotations: { readOnlyHint: true } })
  @CircuitBreaker({
    consecutiveFailures: 2,
    halfOpenAfterMs: 10_000,
    key: (args) => new URL(String(args.url)).host,
    critical: true,
  })
  keyed() {}

  @Tool({ name: 'sampled', annotations: { readOnlyHint: true } })
  @CircuitBreaker({
    sampling: { threshold: 0.5, durationMs: 10_000, minimumRps: 1 },
    halfOpenAfterMs: 5_000,
  })
  sampled() {}

  @Tool({ name: 'charge' })
  @Idempotent({ ttlMs: 60_000, argument: 'requestId' })
  @Timeout({ overallMs: 1_500.5 })
  charge() {}
}

/** Server `test` with the tools of {@link Tools}, as discovery fills its registry. */
function serverOfTools(): McpServers {
  const registry = new McpRegistry('test');
  for (const key of Object.getOwnPropertyNames(Tools.prototype)) {
    const method = Object.getOwnPropertyDescriptor(Tools.prototype, key)!.value as () => void;
    const tool = new Reflector().get(ToolMetadata, method);
    if (!tool) continue;
    registry.addTool({
      name: tool.name,
      definition: {
        name: tool.name,
        inputSchema: { type: 'object' },
        annotations: tool.annotations,
      },
      source: `Tools.${key}`,
      handler: { kind: 'method', type: Tools, method, key },
      invoke: () => Promise.resolve(undefined),
    });
  }
  const servers = new McpServers();
  servers.register({ name: 'test', registry } as McpServerHost);
  return servers;
}

function policiesOf(options: ResilienceModuleOptions, breakers: BreakerRegistry) {
  return new ResiliencePolicies(options, new Reflector(), breakers, serverOfTools());
}

function setup(options: ResilienceModuleOptions = {}) {
  const registry = new BreakerRegistry(new InMemoryBreakerStateStorage());
  const policies = policiesOf(options, registry);
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
  args: Record<string, unknown> = {},
  controller = new AbortController(),
) {
  const ctx = fakeMcpCall({ target: method, signal: controller.signal }).context();
  const context = {
    getType: () => 'mcp',
    getClass: () => Tools,
    getHandler: () => Tools.prototype[method],
    getArgByIndex: (i: number) => (i === 0 ? args : ctx),
  } as unknown as ExecutionContext;
  const next: CallHandler = { handle: () => defer(() => run(ctx.signal)) };
  return firstValueFrom(interceptor.intercept(context, next));
}

/** Fails `breaker` twice (its consecutiveFailures) and waits its halfOpenAfterMs: the next call probes. */
async function failUntilHalfOpen(interceptor: ResilienceInterceptor): Promise<void> {
  const fail = () => Promise.reject(new Error('down'));
  await expect(call(interceptor, 'breaker', fail)).rejects.toThrow('down');
  await expect(call(interceptor, 'breaker', fail)).rejects.toThrow('down');
  jest.advanceTimersByTime(10_000);
}

describe('ResilienceInterceptor (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts the sweep of its fallback idempotency records on init and stops it on destroy', () => {
    const { interceptor } = setup();
    interceptor.onModuleInit();
    expect(jest.getTimerCount()).toBe(1);
    interceptor.onModuleDestroy();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('claims an idempotency key for whole milliseconds, as Redis PX needs, whatever overallMs is', async () => {
    const storage = new InMemoryIdempotencyStorage();
    const claim = jest.spyOn(storage, 'claim');
    const policies = policiesOf({}, new BreakerRegistry(new InMemoryBreakerStateStorage()));
    const interceptor = new ResilienceInterceptor(policies, storage, {});
    await call(interceptor, 'charge', () => Promise.resolve('ok'), { requestId: 'r1' });
    expect(claim).toHaveBeenCalledWith(expect.any(String), expect.any(String), 1_501);
  });

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

  it('does not count calls their client cancelled against the breaker, nor runs one already gone', async () => {
    const { interceptor, registry } = setup();
    for (let i = 0; i < 3; i++) {
      const client = new AbortController();
      const leaves = () => {
        client.abort();
        return Promise.reject(new DOMException('This operation was aborted', 'AbortError'));
      };
      await expect(call(interceptor, 'breaker', leaves, {}, client)).rejects.toMatchObject({
        code: 'CANCELLED',
      });
    }
    expect(registry.snapshot()[0].state).toBe('closed');
    const gone = new AbortController();
    gone.abort();
    const run = jest.fn(() => Promise.resolve('x'));
    await expect(call(interceptor, 'breaker', run, {}, gone)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(run).not.toHaveBeenCalled();
    await expect(call(interceptor, 'breaker', run)).resolves.toBe('x');
  });

  it('keeps the circuit open when the client of the half-open probe cancels it', async () => {
    const { interceptor, registry } = setup();
    await failUntilHalfOpen(interceptor);
    const client = new AbortController();
    const leaves = () => {
      client.abort();
      return Promise.reject(new DOMException('This operation was aborted', 'AbortError'));
    };
    await expect(call(interceptor, 'breaker', leaves, {}, client)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(registry.snapshot()[0].state).toBe('open');
  });

  it('keeps the circuit open when the half-open probe is refused by validation', async () => {
    const { interceptor, registry } = setup();
    await failUntilHalfOpen(interceptor);
    const invalid = () =>
      Promise.reject(new ToolError('INVALID_ARGUMENTS', 'url: not a URL', { retryable: false }));
    await expect(call(interceptor, 'breaker', invalid)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENTS',
    });
    // cockatiel would have closed it, as if the probe had succeeded.
    expect(registry.snapshot()[0].state).toBe('open');
    const run = jest.fn(() => Promise.resolve('x'));
    await expect(call(interceptor, 'breaker', run)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfterMs: 10_000,
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('closes the circuit when the probe ends in another client fault: the tool answered', async () => {
    const { interceptor, registry } = setup();
    await failUntilHalfOpen(interceptor);
    const notFound = () =>
      Promise.reject(new ToolError('NOT_FOUND', 'no such page', { retryable: false }));
    await expect(call(interceptor, 'breaker', notFound)).rejects.toMatchObject({
      code: 'NOT_FOUND',
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

const ok = () => Promise.resolve('ok');
const down = () => Promise.reject(new Error('down'));

/** Collects what is published on `rampart:breaker-state` while `body` runs. */
async function breakerEvents(body: (events: BreakerStateEvent[]) => Promise<void>) {
  const events: BreakerStateEvent[] = [];
  const listener = (e: unknown) => events.push(e as BreakerStateEvent);
  subscribe(RampartChannel.breakerState, listener);
  try {
    await body(events);
  } finally {
    unsubscribe(RampartChannel.breakerState, listener);
  }
}

describe('keyed circuit breakers (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const a = { url: 'https://a.example/page' };
  const b = { url: 'https://b.example/page' };

  it('opens the failing key only; the open answer names the key; other keys keep running', async () => {
    const { interceptor, registry } = setup();
    await expect(call(interceptor, 'keyed', down, a)).rejects.toThrow('down');
    await expect(call(interceptor, 'keyed', down, a)).rejects.toThrow('down');
    const run = jest.fn(ok);
    await expect(call(interceptor, 'keyed', run, a)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryable: true,
      retryAfterMs: 10_000,
      details: { key: 'a.example' },
    });
    expect(run).not.toHaveBeenCalled();
    await expect(call(interceptor, 'keyed', run, b)).resolves.toBe('ok');
    // A failure of b does not add to a's count, and b's own count starts at zero.
    await expect(call(interceptor, 'keyed', down, b)).rejects.toThrow('down');
    await expect(call(interceptor, 'keyed', run, b)).resolves.toBe('ok');
    expect(run).toHaveBeenCalledTimes(2);
    expect(registry.snapshot()).toEqual([
      { name: 'keyed', key: 'a.example', state: 'open', critical: true },
      { name: 'keyed', key: 'b.example', state: 'closed', critical: true },
    ]);
  });

  it('runs a call whose key function throws on bad arguments, in a breaker of its own', async () => {
    const { interceptor, registry } = setup();
    const invalid = () =>
      Promise.reject(new ToolError('INVALID_ARGUMENTS', 'url: not a URL', { retryable: false }));
    for (let i = 0; i < 3; i++)
      await expect(call(interceptor, 'keyed', invalid, { url: 'not a url' })).rejects.toMatchObject(
        { code: 'INVALID_ARGUMENTS' },
      );
    expect(registry.snapshot()).toEqual([
      { name: 'keyed', key: '(invalid)', state: 'closed', critical: true },
    ]);
  });

  it('publishes every transition of a keyed breaker and the snapshot follows it', async () => {
    await breakerEvents(async (events) => {
      const { interceptor, registry } = setup();
      const state = () => registry.snapshot().find((s) => s.key === 'a.example')?.state;
      await expect(call(interceptor, 'keyed', down, a)).rejects.toThrow('down');
      expect(events).toEqual([]);
      await expect(call(interceptor, 'keyed', down, a)).rejects.toThrow('down');
      expect(events).toEqual([{ name: 'keyed', key: 'a.example', state: 'open', critical: true }]);
      expect(state()).toBe('open');

      // The probe fails: open again.
      jest.advanceTimersByTime(10_000);
      await expect(call(interceptor, 'keyed', down, a)).rejects.toThrow('down');
      expect(events.map((e) => e.state)).toEqual(['open', 'half-open', 'open']);
      expect(state()).toBe('open');

      // The next probe succeeds: closed.
      jest.advanceTimersByTime(10_000);
      let release!: (v: string) => void;
      const probe = call(interceptor, 'keyed', () => new Promise((r) => (release = r)), a);
      await jest.advanceTimersByTimeAsync(0);
      expect(state()).toBe('half-open');
      release('back');
      await expect(probe).resolves.toBe('back');
      expect(events.map((e) => e.state)).toEqual([
        'open',
        'half-open',
        'open',
        'half-open',
        'closed',
      ]);
      expect(events.every((e) => e.name === 'keyed' && e.key === 'a.example' && e.critical)).toBe(
        true,
      );
      expect(state()).toBe('closed');
    });
  });
});

describe('sampling circuit breaker (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Runs `n` calls that succeed and `m` that fail. */
  async function calls(interceptor: ResilienceInterceptor, n: number, m: number) {
    for (let i = 0; i < n; i++) await expect(call(interceptor, 'sampled', ok)).resolves.toBe('ok');
    for (let i = 0; i < m; i++)
      await expect(call(interceptor, 'sampled', down)).rejects.toThrow('down');
  }

  it('opens when the failure rate passes the threshold with enough calls, not before', async () => {
    const { interceptor, registry } = setup();
    // Nine failures: all calls failed, but fewer than the 10 calls (1 per second over 10 s) needed.
    await calls(interceptor, 0, 9);
    expect(registry.snapshot()[0].state).toBe('closed');
    jest.advanceTimersByTime(10_000);
    // Those nine are out of the window now: 5 successes and 5 failures are exactly the threshold.
    await calls(interceptor, 5, 5);
    expect(registry.snapshot()[0].state).toBe('closed');
    await calls(interceptor, 0, 1);
    expect(registry.snapshot()).toEqual([{ name: 'sampled', state: 'open', critical: false }]);
    const run = jest.fn(ok);
    await expect(call(interceptor, 'sampled', run)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfterMs: 5_000,
    });
    expect(run).not.toHaveBeenCalled();
  });

  it('half-opens with one probe, closes after its success, and starts counting afresh', async () => {
    await breakerEvents(async (events) => {
      const { interceptor, registry } = setup();
      await calls(interceptor, 0, 10);
      expect(registry.snapshot()[0].state).toBe('open');
      jest.advanceTimersByTime(4_999);
      await expect(call(interceptor, 'sampled', ok)).rejects.toMatchObject({
        code: 'CIRCUIT_OPEN',
        retryAfterMs: 1,
      });
      jest.advanceTimersByTime(1);
      let release!: (v: string) => void;
      const probe = call(interceptor, 'sampled', () => new Promise((r) => (release = r)));
      await jest.advanceTimersByTimeAsync(0);
      expect(registry.snapshot()[0].state).toBe('half-open');
      const second = jest.fn(ok);
      await expect(call(interceptor, 'sampled', second)).rejects.toMatchObject({
        code: 'CIRCUIT_OPEN',
      });
      expect(second).not.toHaveBeenCalled();
      release('probe ok');
      await expect(probe).resolves.toBe('probe ok');
      expect(registry.snapshot()[0].state).toBe('closed');
      // The window was cleared: the 10 failures before the probe no longer count.
      await calls(interceptor, 0, 8);
      expect(registry.snapshot()[0].state).toBe('closed');
      expect(events).toEqual(
        ['open', 'half-open', 'closed'].map((state) => ({
          name: 'sampled',
          state,
          critical: false,
        })),
      );
    });
  });

  it('reopens when the probe fails', async () => {
    const { interceptor, registry } = setup();
    await calls(interceptor, 0, 10);
    jest.advanceTimersByTime(5_000);
    await calls(interceptor, 0, 1);
    expect(registry.snapshot()[0].state).toBe('open');
    await expect(call(interceptor, 'sampled', ok)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfterMs: 5_000,
    });
  });
});
