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
