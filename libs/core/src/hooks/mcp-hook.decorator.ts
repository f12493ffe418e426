import { DiscoveryService } from '@nestjs/core';
import type { McpHookOptions } from './mcp-request-hook.interface';

/**
 * Marks a provider as an {@link McpRequestHook}: discovery finds it at boot and runs it on every
 * request of every server (or of `options.server`).
 *
 * @example
 * ```ts
 * @McpHook({ order: -100 })
 * @Injectable()
 * export class Metrics implements McpRequestHook { … }
 * ```
 */
export const McpHook = DiscoveryService.createDecorator<McpHookOptions | undefined>();
