import type { CallToolResult, ResourceLink, TextContent } from '@modelcontextprotocol/server';

/**
 * The `structuredContent` of an offloaded result: the seed's resource-based response
 * (`resource_id`, `resource_uri`, `preview`, `size_bytes`) plus when the link expires.
 *
 * @example
 * ```ts
 * const { resource_uri } = result.structuredContent as OffloadedStructuredContent;
 * const full = await client.readResource({ uri: resource_uri });
 * ```
 */
export interface OffloadedStructuredContent {
  [key: string]: unknown;
  /** The id of the stored result. */
  resource_id: string;
  /** The signed link to read it with `resources/read`. */
  resource_uri: string;
  /** The first `previewChars` characters (empty for bytes that are not text). */
  preview: string;
  /** Size of the whole result in bytes (UTF-8 for text). */
  size_bytes: number;
  /** When the link and the stored result expire, ISO 8601. */
  expires_at: string;
}

/**
 * A tool result whose content was offloaded: a text block with the preview (and a line that
 * says where the rest is), a `resource_link` block, and the {@link OffloadedStructuredContent}.
 */
export interface OffloadedToolResult extends CallToolResult {
  content: [TextContent, ResourceLink];
  structuredContent: OffloadedStructuredContent;
}
