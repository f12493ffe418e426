import { isToolError } from '@rampart/core';
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

/** A storage where another replica holds every key `pending`. */
class PendingStorage implements IdempotencyStorage {
  claim(): Promise<IdempotencyClaim> {
    return Promise.resolve({ status: 'pending', fingerprint: 'fp' });
  }
  complete(): Promise<void> {
    return Promise.resolve();
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

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

  it('answers CANCELLED, a tool error, when the client cancels while it waits on another replica', async () => {
    const runner = new IdempotencyRunner(new PendingStorage(), 'insurance');
    const controller = new AbortController();
    const fn = jest.fn(() => Promise.resolve('ran'));
    const result = runner.run(callWith('k', controller.signal), fn);
    const settled = result.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    controller.abort();
    const error = await settled;
    expect(isToolError(error) && error.code).toBe('CANCELLED');
    expect(fn).not.toHaveBeenCalled();
  });
});
