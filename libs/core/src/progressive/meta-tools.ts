import type { Tool } from '@modelcontextprotocol/server';

/** Name of the meta-tool that searches the catalogue. */
export const SEARCH_TOOLS = 'search_tools';
/** Name of the meta-tool that gives one tool's complete definition. */
export const DESCRIBE_TOOL = 'describe_tool';
/** Name of the meta-tool that calls a tool of the catalogue. */
export const CALL_TOOL = 'call_tool';

/** The names of the meta-tools, which no tool of a progressive server may take. */
export const META_TOOL_NAMES: ReadonlySet<string> = new Set([
  SEARCH_TOOLS,
  DESCRIBE_TOOL,
  CALL_TOOL,
]);

/**
 * How much of each tool `search_tools` returns: `minimal` its name, `brief` its name, first
 * sentence and arguments as a signature, `full` its complete definition (as `tools/list` gives it).
 */
export type DiscoveryDetail = 'minimal' | 'brief' | 'full';

/** The detail levels, smallest first. */
export const DISCOVERY_DETAILS: readonly DiscoveryDetail[] = ['minimal', 'brief', 'full'];

/**
 * The three tools a progressive server lists. Their descriptions are what the model reads
 * instead of the catalogue, so they say in few words how the three work together.
 */
export function metaToolDefinitions(defaultLimit: number, maxLimit: number): Tool[] {
  return [
    {
      name: SEARCH_TOOLS,
      description:
        "Search this server's tools by what you want to do; best matches first. Then call one with call_tool. detail: minimal (names), brief (summary and arguments, enough to call), full (complete definitions).",
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1, description: 'What you want to do, in words' },
          detail: { type: 'string', enum: [...DISCOVERY_DETAILS], default: 'brief' },
          limit: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
        },
        required: ['query'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: DESCRIBE_TOOL,
      description: 'The complete definition of one tool, its input schema included.',
      inputSchema: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 } },
        required: ['name'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    {
      name: CALL_TOOL,
      description: 'Call a tool found with search_tools, with arguments as its input schema says.',
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          arguments: { type: 'object' },
        },
        required: ['name'],
        additionalProperties: false,
      },
    },
  ];
}
