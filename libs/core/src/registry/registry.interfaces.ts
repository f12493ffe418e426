import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplateDef,
  Tool,
  ToolExecution,
  UriTemplate,
} from '@modelcontextprotocol/server';
import type { Type } from '@nestjs/common';
import type { McpContext } from '../context/mcp-context';
import type {
  PromptOptions,
  ResourceOptions,
  ToolOptions,
} from '../interfaces/primitive-options.interface';

/** Runs a handler through the Nest pipeline and returns what the method returned. */
export type McpInvoker = (args: Record<string, unknown>, ctx: McpContext) => Promise<unknown>;

/** The outcome of a validation: the (transformed) value, or field-level issues. */
export type ValidationOutcome =
  | { ok: true; value: unknown }
  | { ok: false; issues: { path: string; message: string }[]; totalIssues?: number };

/** Checks a value against a schema; asynchronous only when the DTO has async constraints. */
export type McpValidator = (value: unknown) => ValidationOutcome | Promise<ValidationOutcome>;

/**
 * A decorated provider method, as discovery found it at boot. Libraries read the method's
 * decorator metadata from here (`reflector.get(RateLimitMetadata, entry.handler.method)`)
 * rather than scanning the app's providers again.
 *
 * @example
 * ```ts
 * for (const host of servers.all())
 *   for (const tool of host.registry.tools.list())
 *     if (tool.handler.kind === 'method') reflector.get(TrackMetrics, tool.handler.method);
 * ```
 */
export interface McpMethodHandler {
  kind: 'method';
  /** The provider's class: what `context.getClass()` returns to guards and interceptors. */
  type: Type;
  /**
   * The method: what `context.getHandler()` returns to guards and interceptors, and where
   * method decorators keep their metadata. One method serves every server it belongs to.
   */
  method: (...args: any[]) => unknown;
  /** The method's name on the class. */
  key: string;
}

/**
 * A primitive added at run time (`McpServerHost.addTool()`, `addResource()`, `addPrompt()`): it
 * has no decorators, only the options it was added with.
 */
export interface McpDynamicHandler<O> {
  kind: 'dynamic';
  /** The options of the definition, without its handler function. */
  options: Readonly<O>;
}

interface EntryBase {
  /** `Class.method` or `dynamic`, for messages. */
  source: string;
  /** Servers the entry belongs to; `undefined` means every server. */
  servers?: readonly string[];
  invoke: McpInvoker;
}

export interface ToolEntry extends EntryBase {
  name: string;
  /** Where the tool was declared: a decorated method, or options given at run time. */
  handler: McpMethodHandler | McpDynamicHandler<ToolOptions & { name: string }>;
  /** The wire definition sent in `tools/list`, built at boot (2025-11-25 adds `execution`). */
  definition: Tool;
  /**
   * How the tool may run (`execution.taskSupport`), from its options; only 2025-11-25 lists
   * carry it on the wire.
   */
  execution?: ToolExecution;
  /** Validates `structuredContent` when the tool declares an output schema. */
  outputValidator?: McpValidator;
}

export interface ResourceEntry extends EntryBase {
  uri: string;
  /** Where the resource was declared: a decorated method, or options given at run time. */
  handler: McpMethodHandler | McpDynamicHandler<ResourceOptions & { name: string }>;
  definition: Resource;
}

export interface ResourceTemplateEntry extends EntryBase {
  name: string;
  /** The decorated method that declares the template. */
  handler: McpMethodHandler;
  template: UriTemplate;
  definition: ResourceTemplateDef;
}

export interface PromptEntry extends EntryBase {
  name: string;
  /** Where the prompt was declared: a decorated method, or options given at run time. */
  handler: McpMethodHandler | McpDynamicHandler<PromptOptions & { name: string }>;
  definition: Prompt;
}

export interface CompletionEntry extends EntryBase {
  /** The decorated method that completes the argument. */
  handler: McpMethodHandler;
  /** `prompt` or `resourceTemplate`. */
  kind: 'prompt' | 'resourceTemplate';
  /** Prompt name or URI template. */
  target: string;
  argument: string;
}

/** Any entry of a registry: what a call runs, resolved once per call by the dispatcher. */
export type McpEntry =
  ToolEntry | ResourceEntry | ResourceTemplateEntry | PromptEntry | CompletionEntry;

/** What changed in a registry. */
export type RegistryChange = 'tools' | 'resources' | 'prompts';
