import { createBackoff } from './backoff';

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

const delays = (factory: ReturnType<typeof createBackoff>, n: number) => {
  const out: number[] = [];
  let b = factory.next(undefined);
  for (let i = 0; i < n; i++) {
    out.push(b.duration);
    b = b.next(undefined);
  }
  return out;
};

describe('createBackoff', () => {
  it('doubles exponential delays from initialDelayMs up to maxDelayMs', () => {
    const b = createBackoff({ attempts: 5, initialDelayMs: 100, maxDelayMs: 500 }, () => 0.5);
    expect(delays(b, 5)).toEqual([100, 200, 400, 500, 500]);
  });

  it('draws half-jittered exponential delays from the injected random source', () => {
    const b = createBackoff({ attempts: 3, initialDelayMs: 100, jitter: true }, () => 0);
    expect(delays(b, 3)).toEqual([50, 100, 200]);
  });

  it('gives the same decorrelated-jitter delays for the same seed, capped, and others for another seed', () => {
    const opts = {
      attempts: 6,
      backoff: 'decorrelated-jitter' as const,
      initialDelayMs: 100,
      maxDelayMs: 1_000,
    };
    const one = delays(createBackoff(opts, seeded(42)), 6);
    expect(delays(createBackoff(opts, seeded(42)), 6)).toEqual(one);
    expect(delays(createBackoff(opts, seeded(7)), 6)).not.toEqual(one);
    for (const d of one) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1_000);
    }
  });
});
