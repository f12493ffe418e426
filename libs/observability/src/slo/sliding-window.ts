/** Upper bounds of the latency buckets of a {@link SlidingWindow}, in milliseconds (last: +Inf). */
export const LATENCY_BOUNDS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
] as const;

const LATENCY_SLOTS = LATENCY_BOUNDS_MS.length + 1;

/** One observation of a {@link SlidingWindow}. */
export interface WindowSample {
  /** When the call ended, in epoch milliseconds. */
  atMs: number;
  durationMs: number;
  /** Whether the call counts as a failure of the success objective. */
  failed: boolean;
  /** Whether the call was slower than the latency objective's threshold. */
  slow: boolean;
}

/** Sums of a {@link SlidingWindow} over a span. */
export interface WindowTotals {
  total: number;
  failed: number;
  slow: number;
  /** Counts per latency bucket ({@link LATENCY_BOUNDS_MS}, then +Inf). */
  latency: number[];
}

/**
 * A sliding window of call counters cut into fixed buckets: recording and reading cost
 * `O(buckets)` at most, memory is fixed at construction, and no timer runs: a bucket whose time
 * has passed is reset when its slot is next written, and ignored when read.
 *
 * @example
 * ```ts
 * const w = new SlidingWindow(3_600_000, 60); // 1 h in 1-minute buckets
 * w.record({ atMs: Date.now(), durationMs: 120, failed: false, slow: false });
 * w.totals(Date.now(), 300_000); // the last 5 minutes
 * ```
 */
export class SlidingWindow {
  /** Length of one bucket, in milliseconds. */
  readonly bucketMs: number;
  private readonly epochs: Float64Array;
  private readonly counts: Uint32Array; // [total, failed, slow] per slot
  private readonly latency: Uint32Array; // LATENCY_SLOTS per slot

  constructor(
    /** Length of the window, in milliseconds. */
    readonly windowMs: number,
    /** Number of buckets. */
    readonly buckets: number,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.epochs = new Float64Array(buckets).fill(-1);
    this.counts = new Uint32Array(buckets * 3);
    this.latency = new Uint32Array(buckets * LATENCY_SLOTS);
  }

  /** Adds one call; a call older than the window is ignored. */
  record(sample: WindowSample): void {
    const epoch = Math.floor(sample.atMs / this.bucketMs);
    const slot = epoch % this.buckets;
    const current = this.epochs[slot];
    if (current > epoch) return; // older than what the slot holds now: out of the window
    if (current !== epoch) {
      this.epochs[slot] = epoch;
      this.counts.fill(0, slot * 3, slot * 3 + 3);
      this.latency.fill(0, slot * LATENCY_SLOTS, (slot + 1) * LATENCY_SLOTS);
    }
    this.counts[slot * 3]++;
    if (sample.failed) this.counts[slot * 3 + 1]++;
    if (sample.slow) this.counts[slot * 3 + 2]++;
    this.latency[slot * LATENCY_SLOTS + latencySlot(sample.durationMs)]++;
  }

  /**
   * Sums the buckets of the last `spanMs` before `nowMs` (rounded up to whole buckets, the
   * current, partial, bucket included).
   */
  totals(nowMs: number, spanMs = this.windowMs): WindowTotals {
    const nowEpoch = Math.floor(nowMs / this.bucketMs);
    const span = Math.min(this.buckets, Math.max(1, Math.ceil(spanMs / this.bucketMs)));
    const out: WindowTotals = {
      total: 0,
      failed: 0,
      slow: 0,
      latency: Array.from({ length: LATENCY_SLOTS }, () => 0),
    };
    for (let slot = 0; slot < this.buckets; slot++) {
      const epoch = this.epochs[slot];
      if (epoch < 0 || epoch > nowEpoch || epoch <= nowEpoch - span) continue;
      out.total += this.counts[slot * 3];
      out.failed += this.counts[slot * 3 + 1];
      out.slow += this.counts[slot * 3 + 2];
      for (let i = 0; i < LATENCY_SLOTS; i++)
        out.latency[i] += this.latency[slot * LATENCY_SLOTS + i];
    }
    return out;
  }
}

function latencySlot(durationMs: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++)
    if (durationMs <= LATENCY_BOUNDS_MS[i]) return i;
  return LATENCY_BOUNDS_MS.length;
}
