import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';

/** How often an in-memory store drops its expired entries, in milliseconds. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The sweep of an in-memory store: entries carry their expiry and are dropped when read, and by
 * one `unref()`ed timer that `prune()`s them all, started on init and cleared on shutdown (no
 * timer per entry).
 *
 * @example
 * ```ts
 * class InMemoryThings extends SweptMemoryStore {
 *   prune(now = Date.now()) { for (const [k, v] of this.things) if (v.expiresAt <= now) this.things.delete(k); }
 * }
 * ```
 */
export abstract class SweptMemoryStore implements OnModuleInit, OnModuleDestroy {
  private sweep?: NodeJS.Timeout;

  onModuleInit(): void {
    this.sweep = setInterval(() => this.prune(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  /** Drops expired entries. */
  abstract prune(now?: number): void;
}
