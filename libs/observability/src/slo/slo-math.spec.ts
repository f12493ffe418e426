import { SlidingWindow } from './sliding-window';
import { burnRate, errorBudgetRemaining, formatWindow, percentileFromBuckets } from './slo-math';

describe('SLO arithmetic', () => {
  it('computes the error budget left and the burn rate', () => {
    expect(errorBudgetRemaining(0, 0, 0.995)).toBe(1);
    expect(errorBudgetRemaining(2, 1000, 0.995)).toBeCloseTo(0.6, 10);
    expect(errorBudgetRemaining(5, 1000, 0.995)).toBeCloseTo(0, 10);
    expect(errorBudgetRemaining(10, 1000, 0.995)).toBeCloseTo(-1, 10);
    expect(burnRate(0, 0, 0.995)).toBe(0);
    expect(burnRate(10, 1000, 0.995)).toBeCloseTo(2, 10);
    expect(burnRate(72, 500, 0.99)).toBeCloseTo(14.4, 10);
  });

  it('estimates a percentile inside its bucket, as histogram_quantile does', () => {
    const counts = Array.from({ length: 16 }, () => 0);
    expect(percentileFromBuckets(counts, 0.95)).toBeUndefined();
    counts[6] = 10; // (50, 100] ms
    expect(percentileFromBuckets(counts, 0.5)).toBe(75);
    counts[15] = 90; // +Inf
    expect(percentileFromBuckets(counts, 0.95)).toBe(60_000);
  });

  it('labels windows as Prometheus durations', () => {
    expect([300_000, 3_600_000, 86_400_000, 30_000, 1_500].map(formatWindow)).toEqual([
      '5m',
      '1h',
      '1d',
      '30s',
      '1500ms',
    ]);
  });
});

describe('SlidingWindow', () => {
  const sample = (atMs: number, failed = false, durationMs = 10) => ({
    atMs,
    durationMs,
    failed,
    slow: durationMs > 100,
  });

  it('sums the buckets of a span and forgets buckets older than the window', () => {
    const w = new SlidingWindow(60_000, 6); // 10 s buckets
    for (let i = 0; i < 5; i++) w.record(sample(1_000 + i));
    w.record(sample(31_000, true, 200));
    expect(w.totals(35_000)).toMatchObject({ total: 6, failed: 1, slow: 1 });
    expect(w.totals(35_000, 10_000)).toMatchObject({ total: 1, failed: 1, slow: 1 });
    // At 60 s the bucket of [0, 10 s) has left the window.
    expect(w.totals(60_000)).toMatchObject({ total: 1 });
    expect(w.totals(100_000)).toMatchObject({ total: 0 });
  });

  it('reuses a slot for a later bucket and ignores calls older than what a slot holds', () => {
    const w = new SlidingWindow(60_000, 6);
    w.record(sample(5_000));
    w.record(sample(65_000, true)); // same slot, one window later: the old count is reset
    expect(w.totals(65_000)).toMatchObject({ total: 1, failed: 1 });
    w.record(sample(5_001)); // too old for the slot now
    expect(w.totals(65_000)).toMatchObject({ total: 1, failed: 1 });
  });

  it('keeps a fixed memory whatever the traffic', () => {
    const w = new SlidingWindow(60_000, 6);
    for (let t = 0; t < 600_000; t += 7) w.record(sample(t));
    const totals = w.totals(600_000);
    expect(totals.total).toBeLessThanOrEqual(Math.ceil(60_000 / 7) + 1);
    expect(totals.latency).toHaveLength(16);
  });
});
