import type { IdempotencyClaim, IdempotencyStorage } from '../storage/idempotency.storage';
import { StorageUnavailableError } from '../storage/storage-unavailable.error';
import { IdempotencyRunner, type IdempotentCall } from './idempotency-runner';

/** A Redis-like storage that is down: every command rejects as unavailable. */
class DownStorage implements IdempotencyStorage {
  claim(): Promise<IdempotencyClaim> {
    return Promise.reject(new StorageUnavailableError('down'));
  }
  complete(): Promise<void> {
    return Promise.reject(new StorageUnavailableError('down'));
  }
  release(): Promise<void> {
    return Promise.reject(new StorageUnavailableError('down'));
  }
}

const callWith = (scope: string, signal = new AbortController().signal): IdempotentCall => ({
  scope,
  key: scope,
  fingerprint: 'fp',
  ttlMs: 1_000,
  pendingMs: 1_000,
  signal,
  server: 'test',
  tool: 'charge',
});

describe('IdempotencyRunner', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sweeps the records it kept in memory while Redis was down, once started', async () => {
    const runner = new IdempotencyRunner(new DownStorage(), 'insurance');
    runner.onModuleInit();
    try {
      for (let i = 0; i < 3; i++) await runner.run(callWith(`k${i}`), () => Promise.resolve(i));
      expect(runner.fallback.size).toBe(3);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(runner.fallback.size).toBe(0);
    } finally {
      runner.onModuleDestroy();
    }
    expect(jest.getTimerCount()).toBe(0);
  });
});
