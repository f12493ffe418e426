/**
 * Telemetry that one Rampart lib reports and another records, without either depending on the
 * other: each event travels on a `node:diagnostics_channel` channel named here. Publishing costs
 * one `hasSubscribers` check when nobody listens.
 *
 * @example
 * ```ts
 * import { channel } from 'node:diagnostics_channel';
 * const rejections = channel(RampartChannel.rejection);
 * if (rejections.hasSubscribers) rejections.publish({ server, tool, reason: 'rate-limit' } satisfies RejectionEvent);
 * ```
 */
export const RampartChannel = {
  /** A call or request refused before or instead of running: {@link RejectionEvent}. */
  rejection: 'rampart:rejection',
  /** A circuit breaker changed state: {@link BreakerStateEvent}. */
  breakerState: 'rampart:breaker-state',
  /** A retry of a failed attempt is scheduled: {@link RetryEvent}. */
  retry: 'rampart:retry',
  /** A cache lookup: {@link CacheEvent}. */
  cache: 'rampart:cache',
  /** Cache entries dropped on purpose (`@CacheEvict`, an explicit eviction): {@link CacheEvictionEvent}. */
  cacheEviction: 'rampart:cache-eviction',
  /** Credentials refused, or a caller denied a primitive: {@link AccessEvent}. */
  access: 'rampart:access',
  /** A call that needs an approval was requested, approved, denied, expired or refused: {@link ApprovalEvent}. */
  approval: 'rampart:approval',
} as const;

/**
 * What happened to an approval: `requested` (a call waits for one), `approved`, `denied`,
 * `expired` (nobody decided in time), or `refused` (an attempt to decide was turned down: the
 * caller approving its own call, a replay, changed arguments, a bad signature, a missing scope).
 */
export type ApprovalOutcome = 'requested' | 'approved' | 'denied' | 'expired' | 'refused';

/**
 * Published on {@link RampartChannel.approval} by the lib that keeps approvals
 * (`@rampart/tasks`), for the audit trail and the metrics. It never carries arguments or keys.
 */
export interface ApprovalEvent {
  server: string;
  /** The tool whose call needs the approval. */
  tool: string;
  outcome: ApprovalOutcome;
  /** Id of the approval; absent when a refused request named none that exists. */
  approvalId?: string;
  /** Id of the task that waits for it. */
  taskId?: string;
  /** Who acted: the caller for `requested`, the approver for a decision or a refusal. */
  subject?: string;
  tenant?: string;
  /** Who made the call that needs the approval. */
  caller?: string;
  /** Why, for `refused`, `denied` and `expired`: short kebab-case words from a small fixed set. */
  reason?: string;
}

/**
 * Published on {@link RampartChannel.access} by the lib that authenticates and authorizes
 * (`@rampart/security`), for the audit trail and the metrics. It never carries a credential.
 */
export interface AccessEvent {
  server: string;
  /** `authentication`: credentials missing or refused; `authorization`: a caller was denied. */
  stage: 'authentication' | 'authorization';
  /**
   * Why, in the words of the lib that decided (`@rampart/security` documents its sets:
   * `AuthFailureReason`, `AccessDenial`). Short kebab-case words from a small fixed set.
   */
  reason: string;
  /** Subject of the caller, when known. */
  subject?: string;
  tenant?: string;
  /** JSON-RPC method, when the request was read. */
  method?: string;
  /** Tool or prompt name, or resource URI. */
  target?: string;
  /** Ids of the policies that decided a policy denial. */
  policies?: readonly string[];
  /** The client's address, for authentication failures. */
  address?: string;
}

/**
 * Why a call was refused, in the words of the library that refused it (each library documents
 * its own set: `@rampart/resilience` `ResilienceRejectionReason`, `@rampart/observability`
 * `budget-exhausted`). Short kebab-case words from a small fixed set: recorders use them as metric
 * labels.
 */
export type RejectionReason = string;

/** Published on {@link RampartChannel.rejection}. */
export interface RejectionEvent {
  server: string;
  /** Tool name; absent for endpoint-wide refusals (load shedding, endpoint rate limit). */
  tool?: string;
  reason: RejectionReason;
  /** `tool` for a tool's own policy, `endpoint` for a server-wide one. */
  scope: 'tool' | 'endpoint';
}

/** States of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** Published on {@link RampartChannel.breakerState}. */
export interface BreakerStateEvent {
  /** Breaker name: the tool name, or `Class.method`. */
  name: string;
  /** Key of a keyed breaker (e.g. an upstream host); absent for one breaker per tool. */
  key?: string;
  state: BreakerState;
  /** Whether readiness should report degraded while this breaker is open. */
  critical: boolean;
}

/** Published on {@link RampartChannel.retry}. */
export interface RetryEvent {
  server?: string;
  tool: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
}

/** Published on {@link RampartChannel.cache}. */
export interface CacheEvent {
  /** Cache name, e.g. a tool name or a store. */
  name: string;
  hit: boolean;
}

/** Published on {@link RampartChannel.cacheEviction}. */
export interface CacheEvictionEvent {
  /** Cache name, as in {@link CacheEvent}. */
  name: string;
}

/** One breaker as {@link McpBreakerStates} reports it. */
export interface BreakerSnapshot {
  name: string;
  key?: string;
  state: BreakerState;
  critical: boolean;
}

/**
 * Read access to every circuit breaker of the app, provided under {@link MCP_BREAKER_STATES} by
 * the lib that owns the breakers, for health checks and metrics.
 */
export interface McpBreakerStates {
  /** Current states of every breaker (for breakers shared through Redis, as last seen here). */
  snapshot(): BreakerSnapshot[];
}

/** Injection token of {@link McpBreakerStates}. Inject it `@Optional()`. */
export const MCP_BREAKER_STATES = Symbol.for('rampart:breaker-states');
