/**
 * Options of the metrics resource (`metricsResource: { ... }`, or `true` for the defaults): a
 * read-only MCP resource through which an agent can see a small summary of its own server's
 * health: per tool calls, error rate and p95 over the window, SLO status, breaker states and
 * readiness. It holds no identities, no arguments and no error messages, and is bounded in size.
 * Off unless configured.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ slo: true, metricsResource: { servers: ['web-scrape'] } });
 * ```
 */
export interface MetricsResourceOptions {
  /** URI of the resource. @default 'rampart://server/health' */
  uri?: string;
  /** Name of the resource. @default 'server_health' */
  name?: string;
  /** Servers that get the resource, by name. @default every server of the app */
  servers?: string[];
  /**
   * Most tools listed (the busiest first); the rest are counted in `toolsOmitted`.
   * @default 25
   */
  maxTools?: number;
  /** Most circuit breakers listed (open ones first). @default 10 */
  maxBreakers?: number;
  /**
   * Window of the figures when the SLO part is off (otherwise the SLO windows), in milliseconds.
   * @default 900_000 (15 minutes)
   */
  windowMs?: number;
}
