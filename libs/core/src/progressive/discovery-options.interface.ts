import type { ToolEntry } from '../registry/registry.interfaces';

/**
 * How a server offers its tools to the model.
 *
 * - `'list'`: `tools/list` lists every tool the caller may see (the protocol's default).
 * - `'progressive'`: `tools/list` lists three meta-tools only, `search_tools`, `describe_tool`
 *   and `call_tool`; the model searches the catalogue, reads the definitions it needs and calls
 *   a tool through `call_tool`, which runs exactly as a direct `tools/call` of that tool. A
 *   catalogue of hundreds of tools then costs the model's context a few hundred tokens.
 */
export type McpDiscoveryMode = 'list' | 'progressive';

/**
 * Progressive discovery of a server's tools (see docs/discovery.md).
 *
 * @example
 * ```ts
 * import { tagsOf } from '@rampart/security';
 *
 * McpModule.forRoot({
 *   name: 'catalog',
 *   version: '1.0.0',
 *   discovery: { mode: 'progressive', tagsOf },
 * });
 * ```
 */
export interface McpDiscoveryOptions {
  /**
   * `'progressive'` lists the meta-tools instead of the catalogue.
   * @default 'list'
   */
  mode: McpDiscoveryMode;
  /**
   * Tags of a tool, searched with its name, title and description (`tagsOf` of
   * `@rampart/security` reads its `@Tags()`).
   * @default no tags
   */
  tagsOf?: (tool: ToolEntry) => readonly string[];
  /**
   * Results of `search_tools` when the call gives no `limit`.
   * @default 10
   */
  defaultLimit?: number;
  /**
   * Most results one `search_tools` call may ask for (`limit`).
   * @default 50
   */
  maxLimit?: number;
}
