import { LATENCY_BOUNDS_MS } from './sliding-window';

/**
 * Fraction of an error budget left: `1 - (bad / total) / (1 - objective)`. `1` with no calls,
 * `0` when exactly the allowed share of calls was bad, negative past that (overspent).
 *
 * @example
 * errorBudgetRemaining(2, 1000, 0.995); // 0.6: 0.2 % bad of the 0.5 % allowed
 */
export function errorBudgetRemaining(bad: number, total: number, objective: number): number {
  if (total <= 0) return 1;
  return 1 - bad / total / (1 - objective);
}

/**
 * How fast a budget is being spent: the share of bad calls over the share the objective allows.
 * `1` spends the budget exactly over the SLO window, `14.4` spends a 30-day budget in 2 days.
 *
 * @example
 * burnRate(10, 1000, 0.995); // 2
 */
export function burnRate(bad: number, total: number, objective: number): number {
  if (total <= 0) return 0;
  return bad / total / (1 - objective);
}

/**
 * Estimates a percentile from latency bucket counts ({@link LATENCY_BOUNDS_MS}, then +Inf) by
 * linear interpolation inside the bucket that holds it, as Prometheus' `histogram_quantile`
 * does. `undefined` with no calls; the last finite bound when the percentile falls in +Inf.
 *
 * @example
 * percentileFromBuckets([0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.5); // 75 (50..100 ms)
 */
export function percentileFromBuckets(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      if (i >= LATENCY_BOUNDS_MS.length) return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      const upper = LATENCY_BOUNDS_MS[i];
      return lower + ((upper - lower) * (rank - seen)) / counts[i];
    }
    seen += counts[i];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}

/**
 * A window's length as a Prometheus-style duration label: `5m`, `1h`, `30s`, `1500ms`.
 *
 * @example
 * formatWindow(300_000); // '5m'
 */
export function formatWindow(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
