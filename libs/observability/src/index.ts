export { ObservabilityModule, ObservabilityHostModule } from './observability.module';
export { OBSERVABILITY_MODULE_OPTIONS } from './observability.module-definition';
export {
  OBSERVABILITY_REGISTRY,
  OBSERVABILITY_REDACTOR,
  OBSERVABILITY_CALL_LOGGER,
  TRACK_METRICS_METADATA,
  DEFAULT_METRICS_PATH,
} from './observability.constants';
export type {
  ObservabilityModuleOptions,
  ObservabilityParts,
  MetricsOptions,
  TracingOptions,
  LoggingOptions,
} from './interfaces/observability-module-options.interface';
export { TrackMetrics, type TrackMetricsOptions } from './decorators/track-metrics.decorator';
export { CallRecorder } from './recording/call-recorder';
export type {
  CallRecord,
  CallDecision,
  CallRecordListener,
} from './recording/call-record.interface';
export { Redactor, DEFAULT_KEY_PATTERNS, DEFAULT_VALUE_PATTERNS } from './redaction/redactor';
export type { RedactionOptions } from './redaction/redaction-options.interface';
export { McpMetrics } from './metrics/mcp-metrics.service';
export { MetricName } from './metrics/metric-names';
export { createMetricsController } from './metrics/metrics.controller';
export { McpTracing, type TraceScope, DEFAULT_TRACER_NAME } from './tracing/mcp-tracing.service';
export { parseTraceparent } from './tracing/traceparent';
export { CallLogger, type CallLogLine } from './logging/call-logger.service';
export { createCallLogger } from './logging/call-logger.factory';
export { TurnBatchedDestination } from './logging/turn-batched.destination';
export {
  DEFAULT_LOG_REDACT_FIELDS,
  DEFAULT_LOG_REDACT_PATHS,
  redactFields,
  redactQuery,
} from './logging/log-redaction';
export type { EndpointsOptions, EndpointGuard } from './endpoints/endpoints-options.interface';
export { OBSERVABILITY_ENDPOINTS, type EndpointPart } from './endpoints/observability-endpoints';
export {
  ObservabilityEndpointsModule,
  type ObservabilityEndpointsOptions,
} from './endpoints/observability-endpoints.module';
export type {
  AuditOptions,
  PgPoolLike,
  PostgresAuditOptions,
} from './audit/audit-options.interface';
export type { AuditRecord } from './audit/audit-record.interface';
export { AuditSink, AUDIT_SINK, type AuditSinkStats } from './audit/audit-sink.interface';
export { AuditTrail } from './audit/audit-trail.service';
export { LogAuditSink } from './audit/log-audit.sink';
export { PostgresAuditSink, type PostgresAuditSinkDeps } from './audit/postgres-audit.sink';
export type { HealthOptions, RedisPingable } from './health/health-options.interface';
export { ReadinessState } from './health/readiness.state';
export type { SloOptions, SloObjective, LatencyObjective } from './slo/slo-options.interface';
export { Slo } from './slo/slo.decorator';
export { SloTracker, type ToolSloStatus, type ObjectiveStatus } from './slo/slo.tracker';
export type { SloReport } from './slo/slo.controller';
export { BUDGET_EXHAUSTED, PRIORITY_META_KEY } from './slo/slo.constants';
export {
  InvalidSloObjectiveError,
  isInvalidSloObjectiveError,
} from './slo/invalid-slo-objective.error';
export type { MetricsResourceOptions } from './resource/metrics-resource-options.interface';
export { MetricsResource, type ServerHealthSummary } from './resource/metrics-resource.service';
