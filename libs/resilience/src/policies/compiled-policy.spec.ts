import type { McpContext } from '@rampart/core';
import type { CircuitBreakerOptions } from '../interfaces/resilience-module-options.interface';
import { InMemoryBreakerStateStorage } from '../storage/in-memory-breaker-state.storage';
import { BreakerRegistry } from './breaker-registry.service';
import { CompiledPolicy, INVALID_BREAKER_KEY } from './compiled-policy';

const ctx = {} as McpContext;

function keyed(options: Partial<CircuitBreakerOptions> = {}) {
  const registry = new BreakerRegistry(new InMemoryBreakerStateStorage());
  const policy = new CompiledPolicy(
    'fetch',
    {
      circuitBreaker: {
        consecutiveFailures: 1,
        halfOpenAfterMs: 60_000,
        key: (args) => {
          if (typeof args.host !== 'string') throw new TypeError('host is not a string');
          return args.host;
        },
        ...options,
      },
    },
    registry,
    Math.random,
  );
  const select = (host: unknown) => policy.select({ host }, ctx);
  const keys = () => registry.snapshot().map((s) => s.key);
  return { registry, policy, select, keys };
}

describe('CompiledPolicy with a keyed breaker', () => {
  it('gives each key its own breaker and the same one on every call of that key', () => {
    const { policy, select, keys } = keyed();
    expect(policy.executes).toBe(true);
    const a = select('a');
    expect(a.breaker?.key).toBe('a');
    expect(select('a')).toBe(a);
    expect(select('b').breaker).not.toBe(a.breaker);
    expect(keys()).toEqual(['a', 'b']);
  });

  it('keeps at most maxKeys breakers, dropping the least recently used from the snapshot too', () => {
    const { select, keys } = keyed({ maxKeys: 2 });
    const a = select('a');
    select('b');
    // a is used again, so b is now the least recently used.
    select('a');
    select('c');
    expect(keys()).toEqual(['a', 'c']);
    expect(select('a')).toBe(a);
    select('d');
    expect(keys()).toEqual(['a', 'd']);
  });

  it('forgets the state of an evicted key: it comes back with a closed breaker', async () => {
    const { registry, select } = keyed({ maxKeys: 1 });
    const a = select('a');
    await expect(
      a.policy.execute(() => Promise.reject(new Error('upstream down'))),
    ).rejects.toThrow('upstream down');
    expect(registry.snapshot()).toEqual([
      { name: 'fetch', key: 'a', state: 'open', critical: false },
    ]);
    select('b');
    expect(registry.snapshot()).toEqual([
      { name: 'fetch', key: 'b', state: 'closed', critical: false },
    ]);
    const again = select('a');
    expect(again.breaker).not.toBe(a.breaker);
    expect(again.breaker?.state).toBe('closed');
  });

  it('evicts closed breakers before open ones, so cycling keys cannot reopen a dead upstream', async () => {
    const { select, keys } = keyed({ maxKeys: 2 });
    const dead = select('dead');
    await expect(dead.policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(dead.breaker?.state).toBe('open');
    select('b');
    select('c');
    select('d');
    expect(keys()).toEqual(['dead', 'd']);
    expect(select('dead')).toBe(dead);
  });

  it('puts calls whose key function throws in one breaker of their own', () => {
    const { select, keys } = keyed();
    const bad = select(42);
    expect(bad.breaker?.key).toBe(INVALID_BREAKER_KEY);
    expect(select(undefined)).toBe(bad);
    expect(select('a')).not.toBe(bad);
    expect(keys()).toEqual([INVALID_BREAKER_KEY, 'a']);
  });

  it('defaults maxKeys to 1000', () => {
    const { select, keys } = keyed();
    for (let i = 0; i <= 1000; i++) select(`h${i}`);
    expect(keys()).toHaveLength(1000);
    expect(keys()[0]).toBe('h1');
  });
});
