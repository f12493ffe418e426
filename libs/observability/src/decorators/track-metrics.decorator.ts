import { Reflector } from '@nestjs/core';
import { TRACK_METRICS_METADATA } from '../observability.constants';

/** Options of {@link TrackMetrics}. */
export interface TrackMetricsOptions {
  /**
   * `false` leaves this tool out (e.g. one method of a tracked class, or under `allTools`).
   * @default true
   */
  enabled?: boolean;
}

/**
 * Records a tool's calls in the Prometheus metrics (`rampart_tool_calls_total` and
 * `mcp_server_operation_duration_seconds` with its `gen_ai_tool_name`). On a class, it covers
 * every tool of the class; a method's own `@TrackMetrics({ enabled: false })` wins. Metadata only:
 * the `ObservabilityModule` reads it once per tool.
 *
 * @example
 * ```ts
 * @Tool({ name: 'scrape_url' })
 * @TrackMetrics()
 * async scrape(@Args() input: ScrapeUrlInput) { … }
 * ```
 */
export const TrackMetrics = Reflector.createDecorator<TrackMetricsOptions | undefined>({
  key: TRACK_METRICS_METADATA,
});
