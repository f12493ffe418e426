import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { McpServers, type BreakerSnapshot, type McpBreakerStates } from '@rampart/core';
import { ModuleRef } from '@nestjs/core';
import { breakerStatesLookup } from '../breaker-states.lookup';
import { BreakersIndicator } from '../health/breakers.indicator';
import { ReadinessState } from '../health/readiness.state';
import { CallRecorder } from '../recording/call-recorder';
import type { SloTracker } from '../slo/slo.tracker';
import type { MetricsResourceOptions } from './metrics-resource-options.interface';
import { METRICS_RESOURCE_OPTIONS, METRICS_RESOURCE_TRACKER } from './metrics-resource.constants';

/** What the metrics resource answers (JSON). */
export interface ServerHealthSummary {
  server: string;
  generatedAt: string;
  /** `ok`, `degraded` (a critical breaker is open or a budget is spent) or `shutting-down`. */
  status: 'ok' | 'degraded' | 'shutting-down';
  /** MCP requests running now (all servers of the process). */
  inFlight: number;
  tools: {
    tool: string;
    windowMs: number;
    calls: number;
    errorRate: number;
    p95Ms?: number;
    /** Budgets left per objective, when the tool has objectives. */
    slo?: Record<string, { budgetRemaining: number; exhausted: boolean }>;
  }[];
  /** Tools not listed past `maxTools`. */
  toolsOmitted: number;
  breakers: { name: string; state: string; critical: boolean }[];
}

/**
 * Adds the read-only health summary resource (`rampart://server/health`) to the configured
 * servers at bootstrap. Figures come from the `SloTracker` (the SLO part's, or a private one fed by
 * the `CallRecorder` when that part is off); breakers from `MCP_BREAKER_STATES` or the health
 * part; readiness from the health part.
 *
 * @example
 * ```ts
 * const res = await client.readResource({ uri: 'rampart://server/health' });
 * JSON.parse(res.contents[0].text).tools; // [{ tool: 'scrape_url', calls: 120, errorRate: 0.01, p95Ms: 240 }]
 * ```
 */
@Injectable()
export class MetricsResource implements OnApplicationBootstrap {
  private readonly logger = new Logger('Observability');

  constructor(
    @Inject(METRICS_RESOURCE_OPTIONS) private readonly options: Required<MetricsResourceOptions>,
    @Inject(METRICS_RESOURCE_TRACKER) private readonly tracker: SloTracker,
    private readonly servers: McpServers,
    private readonly recorder: CallRecorder,
    moduleRef: ModuleRef,
    @Optional() private readonly readiness?: ReadinessState,
    @Optional() private readonly breakerIndicator?: BreakersIndicator,
  ) {
    this.breakerStates = breakerStatesLookup(moduleRef);
  }

  private readonly breakerStates: () => McpBreakerStates | undefined;

  onApplicationBootstrap(): void {
    const names = this.options.servers.length ? this.options.servers : this.servers.names();
    for (const server of names)
      this.servers.get(server).addResource({
        uri: this.options.uri,
        name: this.options.name,
        title: 'Server health',
        description:
          "A small summary of this server's health: per-tool calls, error rate and p95, SLO budgets, circuit breakers, readiness",
        mimeType: 'application/json',
        handler: () => JSON.stringify(this.summary(server)),
      });
    this.logger.log(`Metrics resource ${this.options.uri} on ${names.join(', ')}`);
  }

  /**
   * The summary of one server: what the resource answers, for a tool that answers it too.
   *
   * @example
   * ```ts
   * @Tool({ name: 'get_metrics', annotations: { readOnlyHint: true } })
   * getMetrics(@Ctx() ctx: McpContext) {
   *   return { content: [], structuredContent: { ...this.metrics.summary(ctx.server) } };
   * }
   * ```
   */
  summary(server: string): ServerHealthSummary {
    const now = Date.now();
    const all = this.tracker
      .report(now, server)
      .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
    const listed = all.slice(0, this.options.maxTools);
    const breakers = this.breakers();
    let degraded = breakers.some((b) => b.critical && b.state === 'open');
    const tools = listed.map((s) => {
      const slo = s.objectives
        ? Object.fromEntries(
            Object.entries(s.objectives).map(([k, o]) => [
              k,
              { budgetRemaining: round(o.budgetRemaining, 3), exhausted: o.exhausted },
            ]),
          )
        : undefined;
      if (slo && Object.values(slo).some((o) => o.exhausted)) degraded = true;
      return {
        tool: s.tool,
        windowMs: s.windowMs,
        calls: s.calls,
        errorRate: round(s.errorRate, 4),
        ...(s.p95Ms !== undefined && { p95Ms: s.p95Ms }),
        ...(slo && { slo }),
      };
    });
    return {
      server,
      generatedAt: new Date(now).toISOString(),
      status: this.readiness?.shuttingDown ? 'shutting-down' : degraded ? 'degraded' : 'ok',
      inFlight: this.recorder.inFlight(),
      tools,
      toolsOmitted: all.length - listed.length,
      breakers: breakers.slice(0, this.options.maxBreakers),
    };
  }

  private breakers(): ServerHealthSummary['breakers'] {
    const list: BreakerSnapshot[] =
      this.breakerIndicator?.snapshot() ?? this.breakerStates()?.snapshot() ?? [];
    // Keys (e.g. upstream hosts) are left out: names and states only.
    const byName = new Map<string, { name: string; state: string; critical: boolean }>();
    for (const b of list) {
      const seen = byName.get(b.name);
      if (!seen || (b.state === 'open' && seen.state !== 'open'))
        byName.set(b.name, { name: b.name, state: b.state, critical: b.critical });
    }
    return [...byName.values()].sort(
      (a, b) =>
        Number(b.state === 'open') - Number(a.state === 'open') || a.name.localeCompare(b.name),
    );
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
