import { Reflector } from '@nestjs/core';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import { INVALID_DECORATOR_OPTION, INVALID_TOOL_NAME } from '../errors/messages.constant';
import type { ToolOptions } from '../interfaces/primitive-options.interface';
import { executionProblem, versioningProblem } from './versioning.util';

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** Typed metadata of `@Tool()`, with the name resolved. */
export const ToolMetadata = Reflector.createDecorator<ToolOptions & { name: string }>();

/** Throws a {@link McpDefinitionError} when `name` breaks the spec's tool-name rules. */
export function assertToolName(name: string, where: string): void {
  if (!TOOL_NAME.test(name)) throw new McpDefinitionError(INVALID_TOOL_NAME(name, where));
}

/** `Class.method`, for messages. */
export const describeMember = (target: object, key: string | symbol): string =>
  `${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;

/**
 * Declares a method of a provider as an MCP tool. Metadata only: the call runs through Nest's
 * guards, interceptors, pipes and filters like a controller route, with context type `'mcp'`.
 *
 * @example
 * ```ts
 * @Tool({ name: 'scrape_url', description: 'Fetch a public web page', annotations: { readOnlyHint: true } })
 * async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) { ... }
 *
 * // A tool that may run as a task (see @rampart/tasks)
 * @Tool({ name: 'build_report', execution: { taskSupport: 'optional' } })
 *
 * // A contract version, and a deprecation that clients see in tools/list `_meta`
 * @Tool({ name: 'search', version: 1, deprecated: { since: '2', replacedBy: 'search_v2' } })
 * ```
 */
export function Tool(options: ToolOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const name = options.name ?? String(key);
    const where = describeMember(target, key);
    assertToolName(name, where);
    const problem = versioningProblem(options) ?? executionProblem(options.execution);
    if (problem) throw new McpDefinitionError(INVALID_DECORATOR_OPTION('Tool', where, problem));
    ToolMetadata({ ...options, name })(target, key, descriptor);
  };
}
