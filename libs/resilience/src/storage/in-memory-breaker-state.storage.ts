import type { BreakerStateStorage } from './breaker-state.storage';

/**
 * Shared breaker state in this process's memory (expired entries dropped when read).
 *
 * @example
 * ```ts
 * const storage = new InMemoryBreakerStateStorage();
 * ```
 */
export class InMemoryBreakerStateStorage implements BreakerStateStorage {
  private readonly until = new Map<string, number>();

  openUntil(name: string): Promise<number | undefined> {
    const until = this.until.get(name);
    if (until !== undefined && until <= Date.now()) this.until.delete(name);
    return Promise.resolve(until !== undefined && until > Date.now() ? until : undefined);
  }

  open(name: string, untilMs: number): Promise<void> {
    this.until.set(name, untilMs);
    return Promise.resolve();
  }

  close(name: string): Promise<void> {
    this.until.delete(name);
    return Promise.resolve();
  }
}
