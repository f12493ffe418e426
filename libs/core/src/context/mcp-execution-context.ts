import type { ExecutionContext } from '@nestjs/common';
import { MCP_CONTEXT_TYPE } from '../mcp.constants';
import type { McpContext } from './mcp-context';

/**
 * Reads MCP calls in guards, interceptors and filters: `context.getType()` is `'mcp'`, the first
 * argument is the call's raw arguments and the second its {@link McpContext}.
 *
 * @example
 * ```ts
 * canActivate(context: ExecutionContext) {
 *   if (context.getType<McpContextType>() !== 'mcp') return true;
 *   return McpExecutionContext.getContext(context).identity !== undefined;
 * }
 * ```
 */
export const McpExecutionContext = {
  /** Whether the context is an MCP call. */
  isMcp(context: ExecutionContext): boolean {
    return context.getType<string>() === MCP_CONTEXT_TYPE;
  },
  /** The call's {@link McpContext}. Throws when the context is not an MCP call. */
  getContext(context: ExecutionContext): McpContext {
    if (!McpExecutionContext.isMcp(context))
      throw new Error(`Not an MCP execution context (type "${context.getType()}")`);
    return context.getArgByIndex(1) as McpContext;
  },
  /** The call's raw (unvalidated) arguments. */
  getArgs<T = Record<string, unknown>>(context: ExecutionContext): T {
    return context.getArgByIndex(0) as T;
  },
};

/** The Nest context type of MCP calls, for `context.getType<McpContextType>()`. */
export type McpContextType = typeof MCP_CONTEXT_TYPE;
