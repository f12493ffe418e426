import { CircuitState, type IBreaker } from 'cockatiel';

/** Calls recorded in one slice of the window. */
interface Bucket {
  /** Which slice of time (`floor(now / bucketMs)`) the counts belong to; -1 when empty. */
  slot: number;
  failures: number;
  successes: number;
}

/**
 * The breaker of `sampling: { threshold, durationMs, minimumRps }`: opens when more than
 * `threshold` of the calls of the last `durationMs` failed, once the window holds at least
 * `minimumRps × durationMs / 1000` calls (`minimumRps: 0`: any number of calls).
 *
 * The window is a ring of buckets (at least 5, at most one second each) indexed by time, so a
 * bucket older than the window never counts, however long the breaker sat idle. It replaces
 * cockatiel's `SamplingBreaker`, whose window moves on by one bucket per recorded call: after a
 * quiet hour, the failures from before it still counted, and one new failure could open the
 * circuit. A successful half-open probe clears the window.
 *
 * @example
 * ```ts
 * circuitBreaker(handleAll, { breaker: new SlidingWindowBreaker(0.5, 10_000, 1), halfOpenAfter: 5_000 });
 * ```
 */
export class SlidingWindowBreaker implements IBreaker {
  private buckets: Bucket[];
  private readonly bucketMs: number;
  private readonly minimumCalls: number;

  constructor(
    /** Failure ratio (0..1) the window must exceed. */
    private readonly threshold: number,
    durationMs: number,
    minimumRps: number,
  ) {
    const count = Math.max(5, Math.ceil(durationMs / 1_000));
    this.bucketMs = durationMs / count;
    this.buckets = Array.from({ length: count }, () => ({ slot: -1, failures: 0, successes: 0 }));
    this.minimumCalls = (minimumRps * durationMs) / 1_000;
  }

  /** The buckets, for cockatiel's `toJSON()`. */
  get state(): unknown {
    return this.buckets.map((b) => ({ ...b }));
  }

  set state(value: unknown) {
    if (Array.isArray(value) && value.length === this.buckets.length)
      this.buckets = (value as Bucket[]).map((b) => ({ ...b }));
  }

  success(state: CircuitState): void {
    if (state === CircuitState.HalfOpen) for (const b of this.buckets) b.slot = -1;
    this.bucket().successes++;
  }

  failure(state: CircuitState): boolean {
    const current = this.bucket();
    current.failures++;
    if (state !== CircuitState.Closed) return true;
    let failures = 0;
    let total = 0;
    for (const b of this.buckets)
      if (b.slot > current.slot - this.buckets.length) {
        failures += b.failures;
        total += b.failures + b.successes;
      }
    return total >= this.minimumCalls && failures > this.threshold * total;
  }

  /** The bucket of now, emptied first when it last held an older slice. */
  private bucket(): Bucket {
    const slot = Math.floor(Date.now() / this.bucketMs);
    const bucket = this.buckets[slot % this.buckets.length];
    if (bucket.slot !== slot) {
      bucket.slot = slot;
      bucket.failures = 0;
      bucket.successes = 0;
    }
    return bucket;
  }
}
