import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplateDef,
  Tool,
  UriTemplate,
} from '@modelcontextprotocol/server';
import type { McpContext } from '../context/mcp-context';

/** Runs a handler through the Nest pipeline and returns what the method returned. */
export type McpInvoker = (args: Record<string, unknown>, ctx: McpContext) => Promise<unknown>;

/** The outcome of a validation: the (transformed) value, or field-level issues. */
export type ValidationOutcome =
  { ok: true; value: unknown } | { ok: false; issues: { path: string; message: string }[] };

/** Checks a value against a schema; asynchronous only when the DTO has async constraints. */
export type McpValidator = (value: unknown) => ValidationOutcome | Promise<ValidationOutcome>;

interface EntryBase {
  /** `Class.method` or `dynamic`, for messages. */
  source: string;
  /** Servers the entry belongs to; `undefined` means every server. */
  servers?: readonly string[];
  invoke: McpInvoker;
}

export interface ToolEntry extends EntryBase {
  name: string;
  /** The wire definition sent in `tools/list`, built at boot. */
  definition: Tool;
  /** Validates `structuredContent` when the tool declares an output schema. */
  outputValidator?: McpValidator;
}

export interface ResourceEntry extends EntryBase {
  uri: string;
  definition: Resource;
}

export interface ResourceTemplateEntry extends EntryBase {
  name: string;
  template: UriTemplate;
  definition: ResourceTemplateDef;
}

export interface PromptEntry extends EntryBase {
  name: string;
  definition: Prompt;
}

export interface CompletionEntry extends EntryBase {
  /** `prompt` or `resourceTemplate`. */
  kind: 'prompt' | 'resourceTemplate';
  /** Prompt name or URI template. */
  target: string;
  argument: string;
}

/** What changed in a registry. */
export type RegistryChange = 'tools' | 'resources' | 'prompts';
