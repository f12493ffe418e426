import { InMemoryIdempotencyStorage } from './in-memory-idempotency.storage';

describe('InMemoryIdempotencyStorage', () => {
  let storage: InMemoryIdempotencyStorage;
  beforeEach(() => {
    jest.useFakeTimers();
    storage = new InMemoryIdempotencyStorage();
    storage.onModuleInit();
  });
  afterEach(() => {
    storage.onModuleDestroy();
    jest.useRealTimers();
  });

  it('claims once, reports pending, then the stored result, until the TTL ends', async () => {
    expect(await storage.claim('k', 'fp', 1_000)).toEqual({ status: 'claimed' });
    expect(await storage.claim('k', 'other', 1_000)).toEqual({
      status: 'pending',
      fingerprint: 'fp',
    });
    await storage.complete('k', 'fp', { ok: 1 }, 5_000);
    expect(await storage.claim('k', 'fp', 1_000)).toEqual({
      status: 'done',
      fingerprint: 'fp',
      result: { ok: 1 },
    });
    jest.advanceTimersByTime(5_000);
    expect(await storage.claim('k', 'fp', 1_000)).toEqual({ status: 'claimed' });
  });

  it('frees a released key', async () => {
    await storage.claim('k', 'fp', 1_000);
    await storage.release('k');
    expect(await storage.claim('k', 'fp2', 1_000)).toEqual({ status: 'claimed' });
  });

  it('sweeps expired records with its one timer', async () => {
    await storage.claim('a', 'fp', 1_000);
    await storage.claim('b', 'fp', 120_000);
    expect(storage.size).toBe(2);
    jest.advanceTimersByTime(60_000);
    expect(storage.size).toBe(1);
  });
});
