import type { BreakerStateStorage } from './breaker-state.storage';

/** Fewest entries at which `open()` drops the expired ones. */
const SWEEP_FROM = 1_024;

/**
 * Shared breaker state in this process's memory: expired entries are dropped when read, and by
 * `open()` whenever the map has doubled since it last did (so it holds at most about twice the
 * breakers open now). A keyed breaker (one per host a caller names) that opens and is then
 * evicted from its policy is never read again, so reads alone kept its entry for good.
 *
 * @example
 * ```ts
 * const storage = new InMemoryBreakerStateStorage();
 * ```
 */
export class InMemoryBreakerStateStorage implements BreakerStateStorage {
  private readonly until = new Map<string, number>();
  private sweepAt = SWEEP_FROM;

  openUntil(name: string): Promise<number | undefined> {
    const until = this.until.get(name);
    if (until !== undefined && until <= Date.now()) this.until.delete(name);
    return Promise.resolve(until !== undefined && until > Date.now() ? until : undefined);
  }

  open(name: string, untilMs: number): Promise<void> {
    this.until.set(name, untilMs);
    if (this.until.size >= this.sweepAt) {
      const now = Date.now();
      for (const [key, until] of this.until) if (until <= now) this.until.delete(key);
      this.sweepAt = Math.max(SWEEP_FROM, this.until.size * 2);
    }
    return Promise.resolve();
  }

  /** How many breakers it holds state for (expired ones not yet dropped included). */
  get size(): number {
    return this.until.size;
  }

  close(name: string): Promise<void> {
    this.until.delete(name);
    return Promise.resolve();
  }
}
