import type { McpRequest } from '@rampart/core';

/**
 * A latency objective: at least `percentile` of a tool's calls finish within `thresholdMs`
 * ("p95 ≤ 300 ms" is `{ percentile: 0.95, thresholdMs: 300 }`).
 */
export interface LatencyObjective {
  /** Fraction of calls that must be fast, in (0, 1). @default 0.95 */
  percentile: number;
  /** Longest duration of a fast call, in milliseconds (inclusive). */
  thresholdMs: number;
}

/**
 * The objectives of one tool, from `@Slo()` or from `SloOptions.tools`.
 *
 * @example
 * ```ts
 * const objective: SloObjective = {
 *   latency: { percentile: 0.95, thresholdMs: 300 },
 *   success: 0.995,
 *   windowMs: 3_600_000,
 * };
 * ```
 */
export interface SloObjective {
  /** Latency objective; none when absent. */
  latency?: LatencyObjective;
  /** Fraction of calls that must succeed, in (0, 1), e.g. `0.995`. None when absent. */
  success?: number;
  /**
   * Length of the sliding window over which the objectives (and the error budget) are computed,
   * in milliseconds. Kept in process, so it restarts with the process.
   * @default SloOptions.windowMs (1 hour)
   */
  windowMs?: number;
  /**
   * Whether non-critical calls of this tool are refused with a retryable `BUDGET_EXHAUSTED`
   * tool error while one of its budgets is spent. Also needs `SloOptions.shedding` not `false`.
   * @default false
   */
  shedWhenExhausted?: boolean;
}

/**
 * Options of the SLO part of `ObservabilityModule` (`slo: { ... }`, or `slo: true` for the
 * defaults with objectives from `@Slo()` only).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({
 *   slo: {
 *     tools: { scrape_url: { latency: { percentile: 0.95, thresholdMs: 300 }, success: 0.995 } },
 *     windowMs: 3_600_000,
 *   },
 * });
 * ```
 */
export interface SloOptions {
  /** Objectives by tool name; they win over `@Slo()` on the same tool. @default {} */
  tools?: Record<string, SloObjective>;
  /** Objective of every tool with none of its own; none when absent. @default undefined */
  defaultObjective?: SloObjective;
  /** Window of objectives that set no `windowMs`, in milliseconds. @default 3_600_000 */
  windowMs?: number;
  /**
   * Number of buckets a window is cut into: the window slides one bucket at a time, and memory
   * per tool is `buckets × (3 + latency buckets)` counters, whatever the traffic.
   * @default 60
   */
  buckets?: number;
  /**
   * Windows of the burn-rate gauge, in milliseconds (each at most the tool's window, rounded up to
   * whole buckets). The default suits a multi-window alert (a short and a long window).
   * @default [300_000, windowMs]
   */
  burnRateWindowsMs?: number[];
  /**
   * Fewest calls in the window before a budget counts as exhausted (so that one early failure does
   * not shed a tool).
   * @default 20
   */
  minCalls?: number;
  /** Path of the JSON report; `false` for none. @default '/slo' */
  path?: string | false;
  /** Whether `rampart_slo_*` gauges are registered on the observability registry. @default true */
  metrics?: boolean;
  /**
   * Master switch of shedding: `false` never sheds, whatever the objectives say.
   * @default true
   */
  shedding?: boolean;
  /**
   * Which calls may be shed when their tool's budget is spent. By default a call is non-critical
   * only when the client marks it so: `_meta: { 'io.rampart/priority': 'low' }`.
   * @default (request) => request.meta?.['io.rampart/priority'] === 'low'
   */
  isNonCritical?: (request: McpRequest) => boolean;
  /** Most distinct tools tracked per server; calls of further tools are not tracked. @default 1000 */
  maxTools?: number;
}
