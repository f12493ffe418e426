/** Metadata key of `@Tool()`. */
export const MCP_TOOL_METADATA = 'RAMPART:TOOL';
/** Metadata key of `@Resource()`. */
export const MCP_RESOURCE_METADATA = 'RAMPART:RESOURCE';
/** Metadata key of `@ResourceTemplate()`. */
export const MCP_RESOURCE_TEMPLATE_METADATA = 'RAMPART:RESOURCE_TEMPLATE';
/** Metadata key of `@Prompt()`. */
export const MCP_PROMPT_METADATA = 'RAMPART:PROMPT';
/** Metadata key of `@Completion()`. */
export const MCP_COMPLETION_METADATA = 'RAMPART:COMPLETION';
/** Metadata key of the `@Args()` / `@Ctx()` parameter decorators. */
// Nest's own route-arguments key: the scanner then instantiates pipe classes given to @Args()
// (as @nestjs/graphql does).
export const MCP_PARAM_ARGS_METADATA = '__routeArguments__';

/**
 * `_meta` key of a tool's, resource's, template's or prompt's contract version in the lists
 * (`tools/list`, ...): a string, `MAJOR` or `MAJOR.MINOR`, from the `version` option.
 *
 * @example
 * const { tools } = await client.listTools();
 * tools.filter((t) => t._meta?.[VERSION_META_KEY] === '2');
 */
export const VERSION_META_KEY = 'io.rampart/version';
/**
 * `_meta` key that marks a deprecated tool, resource, template or prompt in the lists: an object
 * with optional `since`, `reason` and `replacedBy`, from the `deprecated` option.
 *
 * @example
 * const { tools } = await client.listTools();
 * const usable = tools.filter((t) => !t._meta?.[DEPRECATED_META_KEY]);
 */
export const DEPRECATED_META_KEY = 'io.rampart/deprecated';

/** The Nest `ExecutionContext` type of every MCP call: `context.getType() === 'mcp'`. */
export const MCP_CONTEXT_TYPE = 'mcp';

/** The protocol revision served statelessly with a per-request `_meta` envelope. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
/** The newest protocol revision served with `initialize` and sessions. */
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';

/** The protocol's logging levels, least severe first (`logging/setLevel`, the 2026 envelope). */
export const LOGGING_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;

/** Default HTTP path of a server. */
export const DEFAULT_HTTP_PATH = '/mcp';
/** Default page size of `tools/list`, `resources/list`, `prompts/list`. */
export const DEFAULT_PAGE_SIZE = 100;
/** Default largest request body accepted, in bytes (4 MiB, the SDK's default). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
