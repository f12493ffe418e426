import { InMemoryBreakerStateStorage } from './in-memory-breaker-state.storage';

describe('InMemoryBreakerStateStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('answers an open breaker until its time, then forgets it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new InMemoryBreakerStateStorage();
    await storage.open('api:host-a', 1_060_000);
    expect(await storage.openUntil('api:host-a')).toBe(1_060_000);
    jest.setSystemTime(1_060_000);
    expect(await storage.openUntil('api:host-a')).toBeUndefined();
    expect(storage.size).toBe(0);
  });

  it('drops expired entries that are never read again, as breakers keep opening', async () => {
    // The attack: a caller makes the breakers of ever new hosts open (each host a keyed
    // breaker, evicted from its policy soon after), so no one reads their entries again.
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new InMemoryBreakerStateStorage();
    for (let i = 0; i < 20_000; i++) {
      await storage.open(`api:host-${i}`, Date.now() + 120_000);
      jest.setSystemTime(Date.now() + 100); // one breaker opens every 100 ms
    }
    // Open now: those of the last 120 s (1,200); at most about twice that is held.
    expect(storage.size).toBeLessThanOrEqual(2 * 1_200 + 1_024);
    expect(await storage.openUntil('api:host-19999')).toBeGreaterThan(Date.now());
  });
});
