import { Inject, Injectable } from '@nestjs/common';
import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { BreakerSnapshot, BreakerState, McpBreakerStates } from '@rampart/core';
import type { CircuitBreakerOptions } from '../interfaces/resilience-module-options.interface';
import { publishBreakerState } from '../resilience-telemetry';
import { BreakerStateStorage } from '../storage/breaker-state.storage';
import { countsAsFailure, isCallerFault, isCancelled } from './error-filters';
import { SlidingWindowBreaker } from './sliding-window-breaker';

/** How long a replica trusts what it last read of a shared breaker, in milliseconds. */
const SHARED_STATE_CACHE_MS = 250;

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One circuit breaker: cockatiel's policy plus what Rampart needs around it (when it opened, the
 * shared state read from other replicas).
 */
export class BreakerEntry {
  openedAt = 0;
  private remoteUntil = 0;
  private remoteCheckedAt = -Infinity;
  readonly critical: boolean;

  constructor(
    readonly name: string,
    readonly key: string | undefined,
    readonly options: CircuitBreakerOptions,
    readonly policy: CircuitBreakerPolicy,
    private readonly storage: BreakerStateStorage,
  ) {
    this.critical = options.critical ?? false;
    const storageName = key === undefined ? name : `${name}:${key}`;
    policy.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      publishBreakerState({
        name,
        ...(key !== undefined && { key }),
        state: STATES[state],
        critical: this.critical,
      });
      if (!options.shared) return;
      if (state === CircuitState.Open)
        void this.storage.open(storageName, this.openedAt + options.halfOpenAfterMs);
      else if (state === CircuitState.Closed) void this.storage.close(storageName);
    });
    this.storageName = storageName;
  }

  private readonly storageName: string;

  /** Local state, or `open` while another replica reports the shared breaker open. */
  get state(): BreakerState {
    if (this.policy.state === CircuitState.Closed && this.remoteUntil > Date.now()) return 'open';
    return STATES[this.policy.state];
  }

  /** Whether the breaker's state is shared with other replicas through storage. */
  get shared(): boolean {
    return this.options.shared === true;
  }

  /** Whether a half-open probe is running (other calls are refused meanwhile). */
  get probing(): boolean {
    return this.policy.state === CircuitState.HalfOpen;
  }

  /** Milliseconds until the next probe may run (up to 1 s while a probe runs). */
  retryAfterMs(now = Date.now()): number {
    const wait = Math.max(
      this.openedAt + this.options.halfOpenAfterMs - now,
      this.remoteUntil - now,
    );
    return wait > 0 ? Math.ceil(wait) : Math.min(1_000, this.options.halfOpenAfterMs);
  }

  /**
   * For a shared breaker that is closed here: whether another replica has it open (read from
   * storage at most every 250 ms).
   */
  async openElsewhere(): Promise<boolean> {
    if (!this.options.shared || this.policy.state !== CircuitState.Closed) return false;
    const now = Date.now();
    if (now - this.remoteCheckedAt >= SHARED_STATE_CACHE_MS) {
      this.remoteCheckedAt = now;
      this.remoteUntil = (await this.storage.openUntil(this.storageName)) ?? 0;
    }
    return this.remoteUntil > now;
  }
}

/**
 * Every circuit breaker of the app. Provided as `MCP_BREAKER_STATES` so health checks and metrics
 * read their states.
 *
 * @example
 * ```ts
 * constructor(@Optional() @Inject(MCP_BREAKER_STATES) private readonly breakers?: McpBreakerStates) {}
 * this.breakers?.snapshot().filter((b) => b.state === 'open');
 * ```
 */
@Injectable()
export class BreakerRegistry implements McpBreakerStates {
  private readonly entries = new Set<BreakerEntry>();

  constructor(@Inject(BreakerStateStorage) private readonly storage: BreakerStateStorage) {}

  /** Creates a breaker and registers it. */
  create(name: string, options: CircuitBreakerOptions, key?: string): BreakerEntry {
    const breaker = options.sampling
      ? new SlidingWindowBreaker(
          options.sampling.threshold,
          options.sampling.durationMs,
          options.sampling.minimumRps ?? 5,
        )
      : new ConsecutiveBreaker(options.consecutiveFailures!);
    // cockatiel closes the circuit when the half-open probe throws an error it does not count, as
    // if the probe had succeeded. A probe that failed by the caller's fault (refused by
    // validation, or by the tool before any upstream I/O) never reached the upstream, and one its
    // client cancelled never finished: either keeps the circuit open (for another
    // halfOpenAfterMs) instead. Other client faults (a 404 from the upstream) still close it: the
    // upstream answered.
    const policy: CircuitBreakerPolicy = circuitBreaker(
      handleWhen(
        (e) =>
          countsAsFailure(e) ||
          (policy.state === CircuitState.HalfOpen && (isCallerFault(e) || isCancelled(e))),
      ),
      { breaker, halfOpenAfter: options.halfOpenAfterMs },
    );
    const entry = new BreakerEntry(name, key, options, policy, this.storage);
    this.entries.add(entry);
    return entry;
  }

  /** Forgets a keyed breaker evicted from its tool's map. */
  remove(entry: BreakerEntry): void {
    this.entries.delete(entry);
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.entries].map((e) => ({
      name: e.name,
      ...(e.key !== undefined && { key: e.key }),
      state: e.state,
      critical: e.critical,
    }));
  }
}
