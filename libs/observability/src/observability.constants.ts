/** Metadata key of `@TrackMetrics()`. */
export const TRACK_METRICS_METADATA = 'RAMPART:TRACK_METRICS';

/**
 * Injection token of the dedicated prom-client `Registry` that holds every Rampart metric and
 * that `/metrics` serves. Inject it to add metrics of your own.
 *
 * @example
 * ```ts
 * constructor(@Inject(OBSERVABILITY_REGISTRY) registry: Registry) {
 *   new Gauge({ name: 'queue_depth', help: 'Jobs waiting', registers: [registry] });
 * }
 * ```
 */
export const OBSERVABILITY_REGISTRY = Symbol.for('rampart:observability-registry');

/** Injection token of the per-call pino logger (a `pino.Logger`). */
export const OBSERVABILITY_CALL_LOGGER = Symbol.for('rampart:observability-call-logger');

/** Injection token of the app's {@link Redactor}, built once from `options.redaction`. */
export const OBSERVABILITY_REDACTOR = Symbol.for('rampart:observability-redactor');

/** Default path of the Prometheus endpoint. */
export const DEFAULT_METRICS_PATH = '/metrics';

/** Default censor of redacted values. */
export const DEFAULT_CENSOR = '[REDACTED]';

/** Label value of a tool that is not in the server's registry (bounded cardinality). */
export const UNKNOWN_LABEL = 'unknown';

/** Label value that stands for every error code past the cap of distinct codes per tool. */
export const OTHER_LABEL = 'OTHER';

/** Default most distinct error codes per tool before they are counted as {@link OTHER_LABEL}. */
export const DEFAULT_MAX_ERROR_CODES_PER_TOOL = 50;

/** Default buckets of the duration histogram, in seconds (OpenTelemetry's MCP advice). */
export const DEFAULT_DURATION_BUCKETS_SECONDS = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
];
