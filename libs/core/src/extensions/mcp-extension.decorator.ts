import { DiscoveryService } from '@nestjs/core';
import type { McpExtensionOptions } from './mcp-extension.interface';

/**
 * Marks a provider as an {@link McpProtocolExtension}: discovery finds it at boot and adds its methods
 * and capabilities to every server (or to `options.server`).
 *
 * @example
 * ```ts
 * @McpExtension()
 * @Injectable()
 * export class TasksExtension implements McpProtocolExtension { … }
 * ```
 */
export const McpExtension = DiscoveryService.createDecorator<McpExtensionOptions | undefined>();
