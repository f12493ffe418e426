import { consumeAll } from './limiter-verdict';
import { InMemoryRateLimitStorage } from './in-memory-rate-limit.storage';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

const burst: RateLimitRule = { id: 'srv:search:burst', points: 2, perMs: 1_000 };

describe('InMemoryRateLimitStorage', () => {
  let storage: InMemoryRateLimitStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    storage = new InMemoryRateLimitStorage();
  });

  afterEach(() => {
    storage.onModuleDestroy();
    jest.useRealTimers();
  });

  it('answers synchronously: points left, then a refusal with the wait until the window ends', () => {
    expect(storage.consume(burst, 'id:alice')).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
    });
    jest.advanceTimersByTime(300);
    expect(storage.consume(burst, 'id:alice')).toEqual({
      allowed: true,
      remaining: 0,
      retryAfterMs: 0,
    });
    jest.advanceTimersByTime(100);
    expect(storage.consume(burst, 'id:alice')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 600,
    });
  });

  it('keeps one bucket per rule and key, and opens a new window when the last one ends', () => {
    storage.consume(burst, 'id:alice');
    storage.consume(burst, 'id:alice');
    expect(storage.consume(burst, 'id:alice').allowed).toBe(false);
    expect(storage.consume(burst, 'id:bob').allowed).toBe(true);
    expect(storage.consume({ ...burst, id: 'srv:search:sustained' }, 'id:alice').allowed).toBe(
      true,
    );
    jest.advanceTimersByTime(1_000);
    expect(storage.consume(burst, 'id:alice')).toEqual({
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
    });
  });

  it('blocks a bucket for blockMs from the first point past the limit', () => {
    const blocking = { ...burst, blockMs: 5_000 };
    storage.consume(blocking, 'k');
    storage.consume(blocking, 'k');
    jest.advanceTimersByTime(500);
    expect(storage.consume(blocking, 'k').retryAfterMs).toBe(5_000);
    // Past the window, still blocked; the block is not extended by more refused calls.
    jest.advanceTimersByTime(1_000);
    expect(storage.consume(blocking, 'k')).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 4_000,
    });
    jest.advanceTimersByTime(4_000);
    expect(storage.consume(blocking, 'k').allowed).toBe(true);
  });

  it('drops expired buckets in its sweep, started on init and stopped on shutdown', () => {
    storage.onModuleInit();
    storage.consume(burst, 'a');
    storage.consume({ ...burst, perMs: 120_000 }, 'b');
    expect(storage.size).toBe(2);
    jest.advanceTimersByTime(60_000);
    expect(storage.size).toBe(1);
    storage.onModuleDestroy();
    jest.advanceTimersByTime(120_000);
    expect(storage.size).toBe(1);
    storage.prune();
    expect(storage.size).toBe(0);
  });
});

describe('consumeAll', () => {
  const rules: RateLimitRule[] = [burst, { id: 'srv:search:sustained', points: 10, perMs: 60_000 }];

  it('returns the verdicts at once when the storage answers synchronously', () => {
    const verdicts = consumeAll(new InMemoryRateLimitStorage(), rules, (i) => `key${i}`);
    expect(Array.isArray(verdicts)).toBe(true);
    expect((verdicts as RateLimitVerdict[]).map((v) => v.remaining)).toEqual([1, 9]);
  });

  it('returns a promise of the verdicts, in rule order, when any answer is a promise', async () => {
    const seen: string[] = [];
    const mixed: RateLimitStorage = {
      consume(rule, key) {
        seen.push(`${rule.id}/${key}`);
        const verdict = { allowed: rule === burst, remaining: rule.points, retryAfterMs: 0 };
        return rule === burst
          ? new Promise((resolve) => setImmediate(() => resolve(verdict)))
          : verdict;
      },
    };
    const verdicts = consumeAll(mixed, rules, (i) => `key${i}`);
    expect(verdicts).toBeInstanceOf(Promise);
    expect((await verdicts).map((v) => v.allowed)).toEqual([true, false]);
    expect(seen).toEqual(['srv:search:burst/key0', 'srv:search:sustained/key1']);
  });
});
