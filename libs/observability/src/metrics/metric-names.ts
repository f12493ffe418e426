/** Names of the metrics Rampart records (Prometheus form of OpenTelemetry's MCP conventions). */
export const MetricName = {
  operationDuration: 'mcp_server_operation_duration_seconds',
  toolCalls: 'rampart_tool_calls_total',
  inFlight: 'rampart_requests_in_flight',
  rejections: 'rampart_rejections_total',
  breakerState: 'rampart_circuit_breaker_state',
  breakerTransitions: 'rampart_circuit_breaker_transitions_total',
  retries: 'rampart_retries_total',
  cacheRequests: 'rampart_cache_requests_total',
  cacheEvictions: 'rampart_cache_evictions_total',
  authFailures: 'rampart_auth_failures_total',
  accessDenials: 'rampart_access_denials_total',
  approvals: 'rampart_approvals_total',
} as const;

/** JSON-RPC methods of MCP used as label values; any other method is counted as `other`. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
]);
