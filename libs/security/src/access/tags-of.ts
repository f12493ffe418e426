import { Reflector } from '@nestjs/core';
import type { McpListedEntry } from '@rampart/core';
import { TagsMetadata } from '../decorators/access.decorators';

const reflector = new Reflector();

/**
 * The `@Tags()` of a tool, resource or prompt, class and method tags together (none for a
 * primitive added at run time). Give it to progressive discovery so that searches find tools by
 * their tags too.
 *
 * @example
 * ```ts
 * McpModule.forRoot({ name: 'catalog', version: '1.0.0', discovery: { mode: 'progressive', tagsOf } });
 * ```
 */
export function tagsOf(entry: McpListedEntry): readonly string[] {
  const handler = entry.handler;
  if (handler.kind !== 'method') return [];
  return [...new Set(reflector.getAllAndMerge(TagsMetadata, [handler.method, handler.type]) ?? [])];
}
