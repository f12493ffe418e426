import {
  TimeoutStrategy,
  bulkhead,
  handleWhen,
  retry,
  timeout,
  type BulkheadPolicy,
  type IDefaultPolicyContext,
  type IPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { McpContext } from '@rampart/core';
import type { BreakerEntry, BreakerRegistry } from './breaker-registry.service';
import { createBackoff } from './backoff';
import { retryFilter } from './error-filters';
import type { NormalizedPolicy } from './policy-validation';
import type { RateLimitRule } from '../storage/rate-limit.storage';
import { publishRetry } from '../resilience-telemetry';

/**
 * The overall timeout answers at the deadline whether or not the method heeds its signal
 * (aggressive), and leaves the signal alone when the method returns in time: cockatiel would
 * otherwise abort it on every return (`abortOnReturn`), which costs a `DOMException` per call and
 * stops nothing. The per-attempt timeout is `runWithDeadline()`, run by the interceptor inside
 * the chain.
 */
const TIMEOUT_OPTIONS = { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false };

/** Policies nested outermost first, run as one. */
export interface PolicyChain {
  execute<T>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T>;
}

/** The breaker and composed policy that one call runs through. */
export interface PolicySelection {
  policy: PolicyChain;
  breaker?: BreakerEntry;
}

/**
 * A tool's resolved policies, built once per handler: the stateful parts (bulkhead, breakers)
 * are shared by every call of the tool, and the cockatiel chain is composed once (once per key
 * for keyed breakers, in a bounded map).
 */
export class CompiledPolicy {
  readonly bulkhead?: BulkheadPolicy;
  readonly overall?: TimeoutPolicy;
  readonly retry?: RetryPolicy;
  /** The per-attempt timeout, carried out innermost by `runWithDeadline()`. */
  readonly attemptMs?: number;
  /** Whether the interceptor has anything to do. */
  readonly intercepts: boolean;
  private readonly single?: PolicySelection;
  private readonly keyed = new Map<string, PolicySelection>();
  /** The storage rules of the tool's rate limits, by server (a tool may serve several). */
  private readonly rules = new Map<string, RateLimitRule[]>();

  constructor(
    /** Tool name (or `Class.method` for other handlers). */
    readonly name: string,
    readonly spec: NormalizedPolicy,
    private readonly breakers: BreakerRegistry,
    random: () => number,
  ) {
    const { bulkhead: bh, timeout: to, retry: rt, circuitBreaker: cb } = spec;
    if (bh) this.bulkhead = bulkhead(bh.maxConcurrent, bh.maxQueue ?? 0);
    if (to?.overallMs) this.overall = timeout(to.overallMs, TIMEOUT_OPTIONS);
    if (to?.attemptMs) this.attemptMs = to.attemptMs;
    if (rt) {
      this.retry = retry(handleWhen(retryFilter(rt.on)), {
        maxAttempts: rt.attempts - 1,
        backoff: createBackoff(rt, random),
      });
      this.retry.onRetry(({ attempt, delay }) =>
        publishRetry({ tool: name, attempt, delayMs: delay }),
      );
    }
    this.intercepts = !!(bh || to || rt || cb || spec.idempotent);
    if (!cb || cb.key) {
      if (!cb && (bh || this.overall || rt)) this.single = { policy: this.compose() };
      return;
    }
    const breaker = breakers.create(name, cb);
    this.single = { policy: this.compose(breaker), breaker };
  }

  /** The rate-limit rules of this tool on `server`, built once per server. */
  rateLimitRules(server: string): RateLimitRule[] {
    let rules = this.rules.get(server);
    if (!rules) {
      rules = (this.spec.rateLimit ?? []).map((limit) => ({
        id: `${server}:${this.name}:${limit.name}`,
        points: limit.points,
        perMs: limit.perMs,
        blockMs: limit.blockMs,
      }));
      this.rules.set(server, rules);
    }
    return rules;
  }

  /** Whether calls run through a cockatiel chain (not only idempotency or an attempt timeout). */
  get executes(): boolean {
    return this.single !== undefined || this.spec.circuitBreaker?.key !== undefined;
  }

  /** The chain for this call: the tool's, or its key's for a keyed breaker. */
  select(args: Record<string, unknown>, ctx: McpContext): PolicySelection {
    if (this.single) return this.single;
    const cb = this.spec.circuitBreaker!;
    const key = breakerKey(cb.key!, args, ctx);
    let selection = this.keyed.get(key);
    if (selection) {
      // Most recently used last, so that eviction drops the least recently used.
      this.keyed.delete(key);
    } else {
      const breaker = this.breakers.create(this.name, cb, key);
      selection = { policy: this.compose(breaker), breaker };
      if (this.keyed.size >= (cb.maxKeys ?? 1000)) this.evict();
    }
    this.keyed.set(key, selection);
    return selection;
  }

  /**
   * Drops the least recently used closed breaker; only when every breaker is open or probing,
   * the least recently used of all. Callers choose the keys, so evicting an open breaker first
   * would let a caller cycling through keys reopen traffic to a dead upstream.
   */
  private evict(): void {
    let victim: string | undefined;
    for (const [key, selection] of this.keyed)
      if (selection.breaker!.state === 'closed') {
        victim = key;
        break;
      }
    victim ??= this.keyed.keys().next().value!;
    this.breakers.remove(this.keyed.get(victim)!.breaker!);
    this.keyed.delete(victim);
  }

  /**
   * Takes this policy's breakers out of the registry (and so out of `MCP_BREAKER_STATES`), when
   * the dynamic tool it belongs to is removed or replaced.
   */
  dispose(): void {
    if (this.single?.breaker) this.breakers.remove(this.single.breaker);
    for (const { breaker } of this.keyed.values()) this.breakers.remove(breaker!);
    this.keyed.clear();
  }

  /**
   * bulkhead → overall timeout → retry → breaker (the attempt timeout runs inside them). Nested
   * by hand rather than with cockatiel's `wrap()`, which copies the context object at every stage
   * of every call; each stage here passes on the signal its policy gives, which is all the
   * attempt reads.
   */
  private compose(breaker?: BreakerEntry): PolicyChain {
    const chain = [this.bulkhead, this.overall, this.retry, breaker?.policy].filter(
      (p): p is NonNullable<typeof p> => p !== undefined,
    ) as IPolicy[];
    return chain.slice(0, -1).reduceRight<PolicyChain>(
      (inner, outer) => ({
        execute: (fn, signal) => outer.execute(({ signal: s }) => inner.execute(fn, s), signal),
      }),
      chain[chain.length - 1],
    );
  }
}

/** Key used when a breaker's key function throws on arguments not validated yet. */
export const INVALID_BREAKER_KEY = '(invalid)';

/**
 * The key of a keyed breaker. Interceptors run before the pipes validate the arguments, so the
 * key function may see anything; one that throws puts the call in a breaker of its own instead of
 * failing it (validation then answers the bad arguments).
 */
function breakerKey(
  key: NonNullable<NormalizedPolicy['circuitBreaker']>['key'] & {},
  args: Record<string, unknown>,
  ctx: McpContext,
): string {
  try {
    return String(key(args, ctx));
  } catch {
    return INVALID_BREAKER_KEY;
  }
}
