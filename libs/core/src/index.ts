export { McpModule, McpCoreModule } from './mcp.module';
export { MCP_MODULE_OPTIONS } from './mcp.module-definition';
export {
  McpServerHost,
  type DynamicToolDefinition,
  type DynamicResourceDefinition,
  type DynamicPromptDefinition,
} from './mcp-server.host';
export { McpServers } from './mcp-servers.service';
export { Tool, ToolMetadata } from './decorators/tool.decorator';
export {
  Resource,
  ResourceMetadata,
  ResourceTemplate,
  ResourceTemplateMetadata,
} from './decorators/resource.decorator';
export {
  Prompt,
  PromptMetadata,
  Completion,
  CompletionMetadata,
} from './decorators/prompt.decorator';
export { Args, Ctx, McpParamType } from './decorators/params.decorator';
export {
  McpContext,
  type McpCallOrigin,
  type McpTraceContext,
  type McpTransportKind,
  type ProtocolEra,
  type RoundState,
} from './context/mcp-context';
export { McpExecutionContext, type McpContextType } from './context/mcp-execution-context';
export {
  createMcpCall,
  type McpCall,
  type McpCallInit,
  type McpNotification,
} from './dispatch/mcp-call.interface';
export {
  McpDispatcher,
  MAX_ARGUMENTS_DEPTH,
  MAX_SUBSCRIBED_URI_CHARS,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  type McpResult,
  type ListMethod,
} from './dispatch/mcp-dispatcher';
export { answerWithToolError } from './dispatch/result-mappers';
export { InputRequiredSignal, isInputRequiredSignal } from './context/input-required.signal';
export {
  ToolError,
  isToolError,
  type ToolErrorFault,
  type ToolErrorRefusal,
  type ToolErrorOptions,
} from './errors/tool.error';
export {
  InvalidArgumentsError,
  MAX_REPORTED_ISSUES,
  type FieldIssue,
} from './errors/invalid-arguments.error';
export {
  McpProtocolError,
  isMcpProtocolError,
  JsonRpcErrorCode,
} from './errors/mcp-protocol.error';
export { McpDefinitionError, isMcpDefinitionError } from './errors/mcp-definition.error';
export { UnsupportedNestError, isUnsupportedNestError } from './errors/unsupported-nest.error';
export type {
  McpModuleOptions,
  McpHttpOptions,
  McpStateOptions,
} from './interfaces/mcp-module-options.interface';
export type { McpIdentity, McpIdentityProof } from './interfaces/mcp-identity.interface';
export type {
  ToolOptions,
  ResourceOptions,
  ResourceTemplateOptions,
  PromptOptions,
  CompletionOptions,
  SchemaSource,
  JsonSchemaObject,
  ServerScoped,
  Versioned,
  DeprecationInfo,
} from './interfaces/primitive-options.interface';
export { McpRegistry } from './registry/mcp-registry';
export type {
  McpDiscoveryOptions,
  McpDiscoveryMode,
} from './progressive/discovery-options.interface';
export {
  ProgressiveDiscovery,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  MAX_QUERY_CHARS,
  BRIEF_DESCRIPTION_CHARS,
  firstSentence,
  signature,
} from './progressive/progressive-discovery';
export { ToolIndex, type ToolMatch } from './progressive/tool-index';
export {
  SEARCH_TOOLS,
  DESCRIBE_TOOL,
  CALL_TOOL,
  META_TOOL_NAMES,
  DISCOVERY_DETAILS,
  metaToolDefinitions,
  type DiscoveryDetail,
} from './progressive/meta-tools';
export type { StandardJsonSchema } from './schema/standard-schema';
export { JSONSchema } from './schema/dto-schema';
export { MAX_DTO_OBJECT_KEYS } from './schema/dto-validator';
export type {
  McpEntry,
  ToolEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  PromptEntry,
  CompletionEntry,
  McpMethodHandler,
  McpDynamicHandler,
  RegistryChange,
} from './registry/registry.interfaces';
export { StdioLogger } from './transports/stdio/stdio-logger';
export { addressKey } from './transports/http/client-key';
export {
  SessionStore,
  type SessionRecord,
  type SessionLimits,
  type SessionOpening,
  type SessionChange,
} from './state/session.store';
export {
  InMemorySessionStore,
  type InMemorySessionStoreOptions,
} from './state/in-memory-session.store';
export { RedisSessionStore, type RedisSessionStoreOptions } from './state/redis-session.store';
export { EventStore, type EventAppendOptions } from './state/event.store';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './state/in-memory-event.store';
export { RedisEventStore, type RedisEventStoreOptions } from './state/redis-event.store';
export { NotificationBus } from './state/notification.bus';
export { InMemoryNotificationBus } from './state/in-memory-notification.bus';
export {
  RedisNotificationBus,
  type RedisNotificationBusOptions,
} from './state/redis-notification.bus';
export {
  createRedisClient,
  withDeadline,
  type RedisClientLike,
  type RedisClientOptions,
} from './state/redis-client';
export { releaseSettledPipelines } from './state/settled-pipelines';
export { McpState } from './state/mcp-state';
export { SessionRestoreError, isSessionRestoreError } from './errors/session-restore.error';
export {
  MODERN_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSION,
  MCP_CONTEXT_TYPE,
  VERSION_META_KEY,
  DEPRECATED_META_KEY,
} from './mcp.constants';
export type {
  McpRequest,
  McpRequestHook,
  McpRelease,
  McpHookOptions,
  McpHttpExchange,
  McpAuthRequest,
  McpView,
  McpListedEntry,
} from './hooks/mcp-request-hook.interface';
export { McpHook } from './hooks/mcp-hook.decorator';
export { McpExtension } from './extensions/mcp-extension.decorator';
export type {
  McpProtocolExtension,
  McpExtensionMethod,
  McpExtensionCapabilities,
  McpExtensionOptions,
  McpExtensionResult,
} from './extensions/mcp-extension.interface';
export { AnswerSignal, isAnswerSignal } from './extensions/answer.signal';
export { isPromiseLike, type MaybePromise } from './hooks/maybe-promise';
export {
  type McpCallInterceptor,
  isMcpCallInterceptor,
} from './pipeline/mcp-call-interceptor.interface';
export {
  RampartChannel,
  MCP_BREAKER_STATES,
  type RejectionReason,
  type RejectionEvent,
  type BreakerState,
  type BreakerStateEvent,
  type RetryEvent,
  type CacheEvent,
  type CacheEvictionEvent,
  type AccessEvent,
  type ApprovalEvent,
  type ApprovalOutcome,
  type BreakerSnapshot,
  type McpBreakerStates,
} from './telemetry/rampart-channels';
export { loadPackage } from './state/redis-client';
export { contractOf, serializeContract, parseContract } from './contract/contract-snapshot';
export { diffContracts } from './contract/contract-diff';
export { diffSchemas, type SchemaSide, type SchemaChange } from './contract/schema-diff';
export { loadAppContract } from './contract/contract-app';
export { withAppServers, parseAppSpec, type AppCommand } from './cli/app-registries';
export { loadAppTokens } from './tokens/tokens-app';
export {
  listedDefinitions,
  measureDefinitions,
  type ListedDefinition,
} from './tokens/tokens-measure';
export {
  o200kCounter,
  TOKEN_ENCODING,
  TOKENIZER_VERSION,
  type TokenCounter,
} from './tokens/tokenizer';
export {
  parseTokenBudgets,
  serializeTokenBudgets,
  budgetWithHeadroom,
} from './tokens/tokens-budget';
export {
  runTokensCommand,
  TokensExitCode,
  DEFAULT_TOKENS_FILE,
  DEFAULT_TOKENS_HEADROOM_PERCENT,
  type TokensCommandIo,
  type TokensLoader,
} from './tokens/tokens-command';
export { serverTokenLines } from './tokens/tokens-report';
export { TokensError, isTokensError } from './tokens/tokens.error';
export type {
  TokenPrimitiveKind,
  DefinitionTokens,
  KindTokens,
  ServerTokens,
  ServerTokenBudget,
  TokenBudgets,
} from './tokens/tokens.interfaces';
export {
  runContractCommand,
  ContractExitCode,
  DEFAULT_CONTRACT_FILE,
  type ContractCommandIo,
} from './contract/contract-command';
export { reportLines } from './contract/contract-report';
export { ContractError, isContractError } from './contract/contract.error';
export type {
  McpContract,
  ServerContract,
  ToolContract,
  ResourceContract,
  ResourceTemplateContract,
  PromptContract,
  PromptArgumentContract,
  ContractSchema,
  ContractVersioned,
  ContractChange,
  ContractSubject,
} from './contract/contract.interfaces';
export { AdminHttpProblem, isAdminHttpProblem } from './admin-http/admin-http-problem';
export {
  ADMIN_HTTP_ERROR_CODES,
  adminMethodNotAllowed,
  adminRefusalOf,
  answerAdminProblem,
  authorizeAdminRequest,
  decodeAdminSegment,
  isJsonContentType,
  readAdminBody,
  sendAdminJson,
  type AdminHttpBody,
} from './admin-http/admin-http';
export {
  mountAdminHttp,
  type AdminHttpEndpoints,
  type AdminHttpMethod,
  type AdminHttpRoute,
} from './admin-http/admin-http.mount';
export {
  ADMIN_HTTP_BODY_NOT_JSON,
  ADMIN_HTTP_BODY_TOO_LARGE,
  ADMIN_HTTP_BODY_UNPARSABLE,
} from './admin-http/admin-http-messages.constant';
