import { Reflector } from '@nestjs/core';
import { ResilienceDefinitionError } from '../errors/resilience-definition.error';
import { Bulkhead, BulkheadMetadata } from './bulkhead.decorator';
import { CircuitBreaker } from './circuit-breaker.decorator';
import { Idempotent } from './idempotent.decorator';
import { RateLimit, RateLimitMetadata } from './rate-limit.decorator';
import { Retry } from './retry.decorator';
import { Timeout, TimeoutMetadata } from './timeout.decorator';

const define = (decorator: MethodDecorator) => () => {
  class Tools {
    @decorator
    run() {}
  }
  return Tools;
};

describe('resilience decorators', () => {
  it('record normalized metadata', () => {
    class Tools {
      @RateLimit([
        { points: 5, perMs: 1_000 },
        { name: 'hourly', points: 100, perMs: 3_600_000 },
      ])
      @Timeout(2_000)
      @Bulkhead({ maxConcurrent: 2 })
      run() {}
    }
    const reflector = new Reflector();
    const run = Object.getOwnPropertyDescriptor(Tools.prototype, 'run')!.value as () => void;
    expect(reflector.get(RateLimitMetadata, run).map((l) => l.name)).toEqual([
      '5-per-1000',
      'hourly',
    ]);
    expect(reflector.get(TimeoutMetadata, run)).toEqual({ attemptMs: 2_000 });
    expect(reflector.get(BulkheadMetadata, run)).toEqual({ maxConcurrent: 2 });
  });

  it.each([
    ['a rate limit without points', RateLimit({ points: 0, perMs: 1_000 }), /Tools\.run.*points/],
    ['a window that is not whole seconds', RateLimit({ points: 1, perMs: 1_500 }), /perMs/],
    [
      'two limits with one name',
      RateLimit([
        { name: 'a', points: 1, perMs: 1_000 },
        { name: 'a', points: 2, perMs: 2_000 },
      ]),
      /named "a"/,
    ],
    ['a retry of one attempt', Retry({ attempts: 1 }), /attempts/],
    ['an unknown backoff', Retry({ attempts: 2, backoff: 'linear' as never }), /backoff/],
    [
      'a delay cap below the first delay',
      Retry({ attempts: 2, initialDelayMs: 500, maxDelayMs: 100 }),
      /maxDelayMs \(100\) must not be below initialDelayMs \(500\)/,
    ],
    [
      'a jitter flag that is not a boolean',
      Retry({ attempts: 2, jitter: 'yes' as never }),
      /jitter must be true or false/,
    ],
    [
      'a breaker with two strategies',
      CircuitBreaker({
        consecutiveFailures: 3,
        sampling: { threshold: 0.5, durationMs: 1_000 },
        halfOpenAfterMs: 1_000,
      }),
      /exactly one/,
    ],
    [
      'a sampling threshold of 1 (a ratio cannot exceed it)',
      CircuitBreaker({ sampling: { threshold: 1, durationMs: 10_000 }, halfOpenAfterMs: 1_000 }),
      /sampling\.threshold must be a failure ratio in \(0, 1\)/,
    ],
    [
      'a keyed breaker with maxKeys 0',
      CircuitBreaker({
        consecutiveFailures: 1,
        halfOpenAfterMs: 1_000,
        key: () => 'k',
        maxKeys: 0,
      }),
      /maxKeys/,
    ],
    [
      'a breaker without halfOpenAfterMs',
      CircuitBreaker({ consecutiveFailures: 3 } as never),
      /halfOpenAfterMs/,
    ],
    ['an empty timeout', Timeout({}), /attemptMs, overallMs/],
    ['a bulkhead of zero', Bulkhead({ maxConcurrent: 0 }), /maxConcurrent/],
    ['an idempotency TTL of zero', Idempotent({ ttlMs: 0 }), /ttlMs/],
  ])('refuse %s when the class is defined', (_name, decorator, message) => {
    expect(define(decorator)).toThrow(ResilienceDefinitionError);
    expect(define(decorator)).toThrow(message);
  });
});
