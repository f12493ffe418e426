import type { DestinationStream, Level } from 'pino';
import type { RedactionOptions } from '../redaction/redaction-options.interface';
import type { AuditOptions } from '../audit/audit-options.interface';
import type { HealthOptions } from '../health/health-options.interface';
import type { MetricsResourceOptions } from '../resource/metrics-resource-options.interface';
import type { SloOptions } from '../slo/slo-options.interface';
import type { EndpointsOptions } from '../endpoints/endpoints-options.interface';

/**
 * Options of the Prometheus metrics part.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ metrics: { allTools: true, path: '/internal/metrics' } });
 * ```
 */
export interface MetricsOptions {
  /**
   * Record every tool, not only those marked `@TrackMetrics()` (and tools of classes marked so).
   * @default false
   */
  allTools?: boolean;
  /**
   * With `allTools`, only the tools of these servers (by `McpModule.forRoot({ name })`).
   * @default every server
   */
  servers?: string[];
  /**
   * HTTP path of the Prometheus endpoint (below the app's global prefix); `false` serves none
   * (read the registry yourself through `OBSERVABILITY_REGISTRY`).
   * @default '/metrics'
   */
  path?: string | false;
  /**
   * Also collect prom-client's default Node.js metrics (event loop lag, heap, GC) into the registry.
   * @default false
   */
  defaultMetrics?: boolean;
  /**
   * Prefix of the default Node.js metrics.
   * @default ''
   */
  defaultMetricsPrefix?: string;
  /**
   * Buckets of `mcp_server_operation_duration_seconds`, in seconds: distinct finite numbers, in
   * any order (`+Inf` is always added). Checked at boot.
   * @default [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]
   */
  durationBucketsSeconds?: number[];
  /**
   * Distinct error codes counted per tool (an integer >= 0); later codes are counted as `OTHER`
   * (bounded labels).
   * @default 50
   */
  maxErrorCodesPerTool?: number;
}

/**
 * Options of the OpenTelemetry tracing part. Spans go to whatever SDK the app registered; with
 * none, the API's no-op tracer makes them free.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ tracing: { tracerName: 'web-scrape' } });
 * ```
 */
export interface TracingOptions {
  /**
   * Name of the tracer (the instrumentation scope).
   * @default '@rampart/observability'
   */
  tracerName?: string;
  /**
   * Honour a `traceparent` sent by the client (`_meta.traceparent`, then the HTTP headers).
   * Turn it off for a public endpoint whose callers should not join your traces.
   * @default true
   */
  acceptClientTrace?: boolean;
}

/**
 * Options of the structured logging part (pino through nestjs-pino).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ logging: { level: 'info', arguments: true, destination: 'stderr' } });
 * ```
 */
export interface LoggingOptions {
  /**
   * Lowest level written.
   * @default 'info'
   */
  level?: Level | 'silent';
  /**
   * Where lines go: `stdout`, `stderr`, or any pino destination stream. When unset, stderr if any
   * server of the app runs on stdio (stdout then carries only the protocol), else stdout.
   * @default 'stderr' with a stdio server, else 'stdout'
   */
  destination?: 'stdout' | 'stderr' | DestinationStream;
  /**
   * Add the call's arguments to its line, redacted by `options.redaction`.
   * @default false
   */
  arguments?: boolean;
  /**
   * Longest JSON of a line's arguments, in characters (with `arguments: true`). A caller chooses
   * its arguments: above this, the properties the tool or prompt declares are kept first, long
   * strings are cut and the rest left out, and the line says so in `argumentsTruncated`.
   * @default 8192
   */
  maxArgumentsChars?: number;
  /**
   * JSON-RPC methods that get a line per call; `'*'` for every method.
   * @default ['tools/call', 'resources/read', 'prompts/get']
   */
  methods?: string[] | '*';
  /**
   * Import nestjs-pino's `LoggerModule` on the same pino instance, so that
   * `app.useLogger(app.get(Logger))` sends Nest's own logs there too. Turn it off when the app
   * imports `LoggerModule` itself.
   * @default true
   */
  nestLogger?: boolean;
  /**
   * pino-http's line per HTTP request, on routes other than the MCP endpoints (which get one
   * line per call instead). Off by default: no HTTP middleware is mounted. Credentials never
   * appear in it: see `redactPaths` and `redactFields`.
   * @default false
   */
  httpRequests?: boolean;
  /**
   * Field names hidden in every line (call lines, pino-http's request lines, Nest's own logs
   * through nestjs-pino): at the top of the logged object and one level down, in a request's
   * parsed query and in the query string of its URL. Exact names; giving the option replaces
   * the defaults (add to them with `[...DEFAULT_LOG_REDACT_FIELDS, 'session_id']`).
   * @default DEFAULT_LOG_REDACT_FIELDS: token, access_token, accessToken, refresh_token,
   * refreshToken, id_token, idToken, api_key, apiKey, apikey, x-api-key, authorization, cookie,
   * password, client_secret, clientSecret
   */
  redactFields?: string[];
  /**
   * Paths hidden in every line, in pino's `redact` syntax (`req.headers["x-tenant-key"]`).
   * Avoid wildcards (`*.secret`): pino checks them on every line, at several microseconds each.
   * Giving the option replaces the defaults (add to them with `[...DEFAULT_LOG_REDACT_PATHS, …]`).
   * @default DEFAULT_LOG_REDACT_PATHS: the `authorization`, `proxy-authorization`, `cookie` and
   * `x-api-key` request headers and the `set-cookie` response header of request lines
   */
  redactPaths?: string[];
}

/**
 * Options of `ObservabilityModule.forRoot()`. Every part is off unless turned on.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({
 *   metrics: true,
 *   tracing: true,
 *   logging: { arguments: true },
 *   redaction: { paths: ['card.number'] },
 * });
 * ```
 */
export interface ObservabilityModuleOptions {
  /**
   * Prometheus metrics and the `/metrics` endpoint.
   * @default false
   */
  metrics?: MetricsOptions | boolean;
  /**
   * One OpenTelemetry span per MCP request.
   * @default false
   */
  tracing?: TracingOptions | boolean;
  /**
   * One structured pino line per call.
   * @default false
   */
  logging?: LoggingOptions | boolean;
  /**
   * What is hidden in logged and audited arguments.
   * @default credential-like keys, emails, bearer tokens and JWTs
   */
  redaction?: RedactionOptions;
  /**
   * Audit trail of calls.
   * @default false
   */
  audit?: AuditOptions | boolean;
  /**
   * `/health/live` and `/health/ready` (terminus).
   * @default false
   */
  health?: HealthOptions | boolean;
  /**
   * Service level objectives, burn rates and shedding.
   * @default false
   */
  slo?: SloOptions | boolean;
  /**
   * The opt-in MCP resource `rampart://server/health` (the seed's `get_metrics` idea, read-only and bounded).
   * @default false
   */
  metricsResource?: MetricsResourceOptions | boolean;
  /**
   * The operational endpoints (`/metrics`, `/health/*`, `/slo`): guards on all of them, or none
   * served by this app (another app on another port serves them). On the async path, give it in
   * `parts.endpoints`: the controllers are built when the module is assembled.
   * @default { guards: [], serve: true }
   */
  endpoints?: EndpointsOptions;
}

/**
 * Which parts `ObservabilityModule.forRootAsync()` assembles. Nest must know a module's
 * providers and controllers before the options factory runs, so the parts are chosen here,
 * synchronously; the factory's options then configure them (and may still turn an assembled
 * part off, never one on).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRootAsync({ parts: { metrics: { path: '/metrics' }, tracing: true }, useFactory: () => ({ metrics: true, tracing: true }) });
 * ```
 */
export interface ObservabilityParts {
  /**
   * Assemble the metrics part; an object sets the endpoint path, which must be known at import.
   * @default true
   */
  metrics?: boolean | { path?: string | false };
  /** @default true */
  tracing?: boolean;
  /**
   * Assemble the logging part; `nestLogger: false` leaves out nestjs-pino's `LoggerModule`
   * (when the app imports its own).
   * @default true
   */
  logging?: boolean | { nestLogger?: boolean };
  /**
   * Assemble the audit trail, with these options: its providers are built from them, so on the
   * async path they are given here rather than by the factory.
   * @default false
   */
  audit?: AuditOptions | boolean;
  /**
   * Assemble health, with these options (see `audit`).
   * @default false
   */
  health?: HealthOptions | boolean;
  /**
   * Assemble SLOs, with these options (see `audit`).
   * @default false
   */
  slo?: SloOptions | boolean;
  /**
   * Assemble the metrics resource, with these options (see `audit`).
   * @default false
   */
  metricsResource?: MetricsResourceOptions | boolean;
  /**
   * Guards of the operational endpoints, and whether this app serves them (see `audit`).
   * @default { guards: [], serve: true }
   */
  endpoints?: EndpointsOptions;
}
