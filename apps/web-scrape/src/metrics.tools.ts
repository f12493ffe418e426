import { Injectable } from '@nestjs/common';
import { Ctx, McpContext, Tool } from '@rampart/core';
import { MetricsResource } from '@rampart/observability';

/**
 * The seed documents' `get_metrics`, for clients that call tools but do not read resources: the
 * same summary as the `rampart://server/health` resource (per-tool calls, error rate and p95 over
 * the window, SLO budgets, circuit breakers by name, readiness), from the same
 * `MetricsResource`. Like the resource, it holds no identities, arguments, hosts or error
 * messages, and is bounded in size; it is open to every caller who may call tools at all.
 */
@Injectable()
export class MetricsTools {
  constructor(private readonly metrics: MetricsResource) {}

  @Tool({
    name: 'get_metrics',
    server: 'web-scrape',
    title: 'Server metrics',
    description:
      "A small summary of this server's health: per-tool calls, error rate and p95, SLO budgets, circuit breakers, readiness (the same as the resource rampart://server/health).",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  getMetrics(@Ctx() ctx: McpContext) {
    const summary = this.metrics.summary(ctx.server);
    return {
      content: [{ type: 'text' as const, text: JSON.stringify(summary) }],
      structuredContent: { ...summary },
    };
  }
}
