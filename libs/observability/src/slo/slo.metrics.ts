import { Inject, Injectable, Optional } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { OBSERVABILITY_REGISTRY } from '../observability.constants';
import { SloTracker } from './slo.tracker';

/** Name of the error-budget gauge. */
export const SLO_BUDGET_METRIC = 'rampart_slo_error_budget_remaining_ratio';
/** Name of the burn-rate gauge. */
export const SLO_BURN_RATE_METRIC = 'rampart_slo_burn_rate';

/**
 * The SLO gauges, computed from the {@link SloTracker} when `/metrics` is scraped (nothing runs
 * between scrapes):
 *
 * - `rampart_slo_error_budget_remaining_ratio{server,gen_ai_tool_name,objective}`: `1` untouched,
 *   `0` spent, negative overspent; `objective` is `success` or `latency`.
 * - `rampart_slo_burn_rate{server,gen_ai_tool_name,objective,window}`: per burn-rate window
 *   (`5m`, `1h` by default); `1` spends the budget exactly over the SLO window.
 *
 * @example
 * ```promql
 * rampart_slo_burn_rate{window="5m"} > 14.4 and rampart_slo_burn_rate{window="1h"} > 14.4
 * ```
 */
@Injectable()
export class SloMetrics {
  constructor(
    tracker: SloTracker,
    @Optional() @Inject(OBSERVABILITY_REGISTRY) registry?: Registry,
  ) {
    if (!registry) return;
    const existing = (name: string) => registry.getSingleMetric(name);
    if (existing(SLO_BUDGET_METRIC) || existing(SLO_BURN_RATE_METRIC)) return;
    new Gauge({
      name: SLO_BUDGET_METRIC,
      help: 'Fraction of the error budget left over the SLO window (negative when overspent)',
      labelNames: ['server', 'gen_ai_tool_name', 'objective'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of tracker.report())
          for (const [objective, status] of Object.entries(s.objectives ?? {}))
            this.set(
              { server: s.server, gen_ai_tool_name: s.tool, objective },
              status.budgetRemaining,
            );
      },
    });
    new Gauge({
      name: SLO_BURN_RATE_METRIC,
      help: 'Error budget burn rate over a window (1 spends the budget exactly over the SLO window)',
      labelNames: ['server', 'gen_ai_tool_name', 'objective', 'window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of tracker.report())
          for (const [objective, status] of Object.entries(s.objectives ?? {}))
            for (const [window, rate] of Object.entries(status.burnRate))
              this.set({ server: s.server, gen_ai_tool_name: s.tool, objective, window }, rate);
      },
    });
  }
}
