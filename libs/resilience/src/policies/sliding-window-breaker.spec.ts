import { CircuitState } from 'cockatiel';
import { SlidingWindowBreaker } from './sliding-window-breaker';

const { Closed, HalfOpen } = CircuitState;

describe('SlidingWindowBreaker (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** Records `n` calls; returns whether the last failure asked to open. */
  const record = (b: SlidingWindowBreaker, successes: number, failures: number): boolean => {
    for (let i = 0; i < successes; i++) b.success(Closed);
    let open = false;
    for (let i = 0; i < failures; i++) open = b.failure(Closed);
    return open;
  };

  it('does not open below the minimum number of calls, whatever the failure ratio', () => {
    // 1 call per second over 10 s: at least 10 calls before the ratio counts.
    const b = new SlidingWindowBreaker(0.5, 10_000, 1);
    expect(record(b, 0, 9)).toBe(false);
    expect(b.failure(Closed)).toBe(true);
  });

  it('opens only once the failure ratio exceeds the threshold (not when it equals it)', () => {
    const b = new SlidingWindowBreaker(0.5, 10_000, 1);
    expect(record(b, 5, 4)).toBe(false);
    // 5 failures of 10 calls: exactly the threshold.
    expect(b.failure(Closed)).toBe(false);
    // 6 of 11.
    expect(b.failure(Closed)).toBe(true);
  });

  it('forgets calls older than the window, however long the breaker sat idle', () => {
    const b = new SlidingWindowBreaker(0.5, 10_000, 1);
    expect(record(b, 0, 8)).toBe(false);
    jest.advanceTimersByTime(3_600_000);
    // cockatiel's SamplingBreaker still counted the 8 old failures here (10 of 11: open).
    expect(record(b, 1, 2)).toBe(false);
    // 9 calls in the window, 6 failed: below the minimum of 10.
    expect(record(b, 2, 4)).toBe(false);
    expect(b.failure(Closed)).toBe(true);
  });

  it('slides: failures leave the window as their bucket ages out', () => {
    const b = new SlidingWindowBreaker(0.5, 10_000, 1);
    record(b, 0, 6);
    jest.advanceTimersByTime(5_000);
    record(b, 4, 0);
    jest.advanceTimersByTime(5_000);
    // The first 6 failures are 10 s old now: out. 4 successes + 1 failure, below the minimum
    // (with them, 7 of 11 would open).
    expect(b.failure(Closed)).toBe(false);
    expect(record(b, 0, 4)).toBe(false);
    // 4 successes and 6 failures in the last 10 s.
    expect(b.failure(Closed)).toBe(true);
  });

  it('treats minimumRps 0 as no minimum', () => {
    const b = new SlidingWindowBreaker(0.5, 10_000, 0);
    expect(b.failure(Closed)).toBe(true);
  });

  it('always opens on a half-open failure, and a successful probe clears the window', () => {
    const b = new SlidingWindowBreaker(0.5, 10_000, 1);
    record(b, 0, 9);
    expect(b.failure(HalfOpen)).toBe(true);
    b.success(HalfOpen);
    // The 10 earlier failures are gone: the probe and 8 failures are below the minimum again.
    expect(record(b, 0, 8)).toBe(false);
    expect(b.failure(Closed)).toBe(true);
  });
});
