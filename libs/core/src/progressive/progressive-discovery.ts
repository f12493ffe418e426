import type { Tool } from '@modelcontextprotocol/server';
import type { ProtocolEra } from '../context/mcp-context';
import type { McpCall } from '../dispatch/mcp-call.interface';
import { toToolErrorResult } from '../dispatch/result-mappers';
import { InvalidArgumentsError, type FieldIssue } from '../errors/invalid-arguments.error';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import { JsonRpcErrorCode, McpProtocolError } from '../errors/mcp-protocol.error';
import { ToolError } from '../errors/tool.error';
import type { McpView } from '../hooks/mcp-request-hook.interface';
import type { McpRegistry } from '../registry/mcp-registry';
import type { ToolEntry } from '../registry/registry.interfaces';
import type { McpDiscoveryOptions } from './discovery-options.interface';
import {
  CALL_TOOL,
  DESCRIBE_TOOL,
  DISCOVERY_DETAILS,
  META_TOOL_NAMES,
  SEARCH_TOOLS,
  metaToolDefinitions,
  type DiscoveryDetail,
} from './meta-tools';
import { ToolIndex } from './tool-index';

/** Results of `search_tools` without a `limit`, unless the options say otherwise. */
export const DEFAULT_SEARCH_LIMIT = 10;
/** Most results of one `search_tools` call, unless the options say otherwise. */
export const MAX_SEARCH_LIMIT = 50;
/** Longest query `search_tools` accepts, in characters. */
export const MAX_QUERY_CHARS = 500;
/** Longest description of a tool in a `brief` result, in characters. */
export const BRIEF_DESCRIPTION_CHARS = 160;
/** How many visibility classes keep their index; the least recently used go first. */
const MAX_INDEXES = 64;

type Result = Record<string, unknown>;

/**
 * Progressive discovery of one server's tools: the page `tools/list` answers (the three
 * meta-tools), `search_tools` and `describe_tool`, and the rewriting of a `call_tool` call into
 * the `tools/call` it stands for, which the dispatcher then serves as any other (request hooks,
 * guards, interceptors, pipes, the tool, its result).
 *
 * Search runs on a BM25 index (minisearch) of the tools a caller may see, built once per
 * visibility class ({@link McpView.key}) and registry revision, never per call: a tool the
 * caller's view hides is not in its index, so it is never found, and `describe_tool` answers it
 * as unknown.
 */
export class ProgressiveDiscovery {
  private readonly page: Result;
  private readonly indexes = new Map<string, { revision: number; index: ToolIndex }>();
  private readonly tagsOf: (tool: ToolEntry) => readonly string[];
  private readonly defaultLimit: number;
  private readonly maxLimit: number;

  constructor(
    private readonly registry: McpRegistry,
    options: McpDiscoveryOptions,
  ) {
    this.tagsOf = options.tagsOf ?? (() => []);
    this.maxLimit = options.maxLimit ?? MAX_SEARCH_LIMIT;
    this.defaultLimit = Math.min(options.defaultLimit ?? DEFAULT_SEARCH_LIMIT, this.maxLimit);
    this.page = Object.freeze({ tools: metaToolDefinitions(this.defaultLimit, this.maxLimit) });
    this.assertNoMetaNames();
  }

  /** Whether `name` is one of the meta-tools, which the dispatcher hands to {@link call}. */
  serves(name: string): boolean {
    return META_TOOL_NAMES.has(name);
  }

  /** The one page of `tools/list`: the meta-tools, the same object for every caller and era. */
  list(cursor: unknown): Result {
    if (cursor !== undefined)
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid cursor: ${typeof cursor === 'string' ? cursor : 'it must be a string'}`,
      );
    return this.page;
  }

  /**
   * The params of the `tools/call` that a well-formed `call_tool` call stands for: its `name`
   * and `arguments` in place of the meta-tool's (other params, `_meta` and `task` included, kept).
   * `undefined` for any other call, and for a `call_tool` call whose own arguments are malformed
   * or name a meta-tool, which {@link call} then answers with a structured error.
   */
  unwrap(params: Readonly<Record<string, unknown>> | undefined): Result | undefined {
    if (params?.name !== CALL_TOOL) return undefined;
    const args = params.arguments;
    if (!isObject(args) || callToolIssues(args).length) return undefined;
    const out: Result = { ...params, name: args.name };
    if (args.arguments === undefined) delete out.arguments;
    else out.arguments = args.arguments;
    return out;
  }

  /**
   * Serves a call of a meta-tool with the caller's view: `search_tools`, `describe_tool`, or a
   * `call_tool` call that {@link unwrap} could not rewrite (answered with its issues).
   */
  call(call: McpCall, name: string, view: McpView | undefined): Result {
    const args = (call.params.arguments ?? {}) as Record<string, unknown>;
    try {
      if (name === SEARCH_TOOLS) return this.search(args, view, call.origin.era);
      if (name === DESCRIBE_TOOL) return this.describe(args, view, call.origin.era);
      throw callToolRefusal(args);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      (call as { toolError?: ToolError }).toolError = error;
      return toToolErrorResult(error) as Result;
    }
  }

  private search(args: Record<string, unknown>, view: McpView | undefined, era: ProtocolEra) {
    const issues = unknownKeys(args, ['query', 'detail', 'limit']);
    const query = args.query;
    if (typeof query !== 'string' || !query.trim())
      issues.push({ path: 'query', message: 'must be a non-empty string' });
    else if (query.length > MAX_QUERY_CHARS)
      issues.push({ path: 'query', message: `must be at most ${MAX_QUERY_CHARS} characters` });
    const detail = args.detail ?? 'brief';
    if (!DISCOVERY_DETAILS.includes(detail as DiscoveryDetail))
      issues.push({ path: 'detail', message: `must be one of ${DISCOVERY_DETAILS.join(', ')}` });
    const limit = args.limit ?? this.defaultLimit;
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > this.maxLimit)
      issues.push({ path: 'limit', message: `must be an integer from 1 to ${this.maxLimit}` });
    if (issues.length) throw new InvalidArgumentsError(issues);
    const matches = this.indexFor(view).find(query as string);
    const shown = matches.slice(0, limit as number).map(({ tool }) => {
      if (detail === 'minimal') return tool.name;
      if (detail === 'brief') return brief(tool);
      return definitionOf(tool, era);
    });
    return structured({ tools: shown, total: matches.length });
  }

  private describe(args: Record<string, unknown>, view: McpView | undefined, era: ProtocolEra) {
    const issues = unknownKeys(args, ['name']);
    const name = args.name;
    if (typeof name !== 'string' || !name)
      issues.push({ path: 'name', message: 'must be a non-empty string' });
    if (issues.length) throw new InvalidArgumentsError(issues);
    const tool = this.registry.tools.get(name as string);
    if (!tool || META_TOOL_NAMES.has(tool.name) || (view && !view.allows(tool)))
      throw new ToolError('UNKNOWN_TOOL', `Unknown tool: ${name as string}`, {
        fault: 'caller',
        suggestions: [`Find the tool's name with ${SEARCH_TOOLS}.`],
      });
    return structured(definitionOf(tool, era));
  }

  /** The index of what `view` allows, built once per view key and registry revision. */
  private indexFor(view: McpView | undefined): ToolIndex {
    const key = view?.key ?? '';
    const revision = this.registry.revision;
    let held = this.indexes.get(key);
    if (held) this.indexes.delete(key); // re-inserted below: most recently used last
    if (!held || held.revision !== revision) {
      // A tool added at run time under a meta-tool's name is left out: the meta-tool wins.
      const tools = this.registry.tools
        .list()
        .filter((t) => !META_TOOL_NAMES.has(t.name) && (!view || view.allows(t)));
      held = { revision, index: new ToolIndex(tools, this.tagsOf) };
    }
    this.indexes.set(key, held);
    if (this.indexes.size > MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    return held.index;
  }

  private assertNoMetaNames(): void {
    for (const name of META_TOOL_NAMES) {
      const tool = this.registry.tools.get(name);
      if (tool)
        throw new McpDefinitionError(
          `The tool "${name}" of ${tool.source} takes the name of a meta-tool of progressive discovery on server "${this.registry.server}": give it another name, or serve the server with discovery mode 'list'.`,
        );
    }
  }
}

/** A meta-tool's answer: the JSON as text for the model, and as `structuredContent`. */
function structured(payload: Result): Result {
  return { content: [{ type: 'text', text: JSON.stringify(payload) }], structuredContent: payload };
}

/** The definition `tools/list` gives the tool in `era` (2025-11-25 adds `execution`). */
function definitionOf(tool: ToolEntry, era: ProtocolEra): Tool {
  return era === 'legacy' && tool.execution
    ? { ...tool.definition, execution: tool.execution }
    : tool.definition;
}

/** A tool in a `brief` result: its name, first sentence and arguments as a signature. */
function brief(tool: ToolEntry): Result {
  const description = firstSentence(tool.definition.description ?? '');
  return {
    name: tool.name,
    ...(description && { description }),
    args: signature(tool.definition.inputSchema),
  };
}

/** The first sentence of a description, whitespace collapsed, cut at a fixed length. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /[.!?](\s|$)/.exec(flat);
  const sentence = end ? flat.slice(0, end.index + 1) : flat;
  return sentence.length > BRIEF_DESCRIPTION_CHARS
    ? `${sentence.slice(0, BRIEF_DESCRIPTION_CHARS - 1).trimEnd()}…`
    : sentence;
}

/**
 * The arguments of an input schema as a signature: `id: string, limit?: integer,
 * status?: "open"|"paid"` (`?` for an optional one).
 */
export function signature(schema: unknown): string {
  if (!isObject(schema) || !isObject(schema.properties)) return '';
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties)
    .map(([name, s]) => `${name}${required.has(name) ? '' : '?'}: ${typeText(s)}`)
    .join(', ');
}

function typeText(s: unknown): string {
  if (!isObject(s)) return 'any';
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join('|');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const union = (Array.isArray(s.anyOf) && s.anyOf) || (Array.isArray(s.oneOf) && s.oneOf);
  if (union) return union.map(typeText).join('|');
  const type = Array.isArray(s.type) ? s.type.join('|') : s.type;
  if (type === 'array') {
    const item = typeText(s.items);
    return item.includes('|') ? `(${item})[]` : `${item}[]`;
  }
  return typeof type === 'string' ? type : 'any';
}

/** What is wrong with the arguments of a `call_tool` call, field by field. */
function callToolIssues(args: Record<string, unknown>): FieldIssue[] {
  const issues = unknownKeys(args, ['name', 'arguments']);
  if (typeof args.name !== 'string' || !args.name)
    issues.push({ path: 'name', message: 'must be a non-empty string' });
  else if (META_TOOL_NAMES.has(args.name))
    issues.push({
      path: 'name',
      message: `must name a tool of the catalogue: call ${args.name} directly`,
    });
  if (args.arguments !== undefined && !isObject(args.arguments))
    issues.push({ path: 'arguments', message: 'must be an object' });
  return issues;
}

/** The error of a `call_tool` call that could not be rewritten. */
function callToolRefusal(args: Record<string, unknown>): ToolError {
  const issues = callToolIssues(args);
  return new InvalidArgumentsError(
    issues.length ? issues : [{ path: '', message: 'must be { name, arguments }' }],
  );
}

function unknownKeys(args: Record<string, unknown>, known: readonly string[]): FieldIssue[] {
  return Object.keys(args)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: k, message: 'is not an argument of this tool' }));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
