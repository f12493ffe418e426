/**
 * Where the open state of shared circuit breakers (`@CircuitBreaker({ shared: true })`) lives,
 * so that a breaker opened on one replica refuses calls on the others. The in-memory default
 * shares within one process only; Redis shares across replicas.
 *
 * @example
 * ```ts
 * await storage.open('scrape_url', Date.now() + 30_000);
 * await storage.openUntil('scrape_url'); // epoch ms, or undefined when closed
 * ```
 */
export interface BreakerStateStorage {
  /** When the shared breaker `name` stops being open (epoch ms); `undefined` when it is not open. Never rejects. */
  openUntil(name: string): Promise<number | undefined>;
  /** Records that `name` is open until `untilMs` (epoch ms). Never rejects. */
  open(name: string, untilMs: number): Promise<void>;
  /** Records that `name` closed again. Never rejects. */
  close(name: string): Promise<void>;
}

/** Injection token of the {@link BreakerStateStorage}. */
export const BreakerStateStorage = Symbol.for('rampart:BreakerStateStorage');
