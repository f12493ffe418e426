import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { McpExplorer } from './discovery/mcp-explorer.service';
import { McpServerHost } from './mcp-server.host';
import { McpServers } from './mcp-servers.service';
import type { McpModuleOptions } from './interfaces/mcp-module-options.interface';
import { ConfigurableModuleClass, MCP_MODULE_OPTIONS } from './mcp.module-definition';
import { EventStore } from './state/event.store';
import { McpState } from './state/mcp-state';
import { NotificationBus } from './state/notification.bus';
import { SessionStore } from './state/session.store';

/** Shared by every `McpModule.forRoot()` of the app: discovery and the server directory. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [McpExplorer, McpServers],
  exports: [McpExplorer, McpServers],
})
export class McpCoreModule {}

/**
 * An MCP server in a Nest app. Import it once per server; tools, resources and prompts are found
 * in every provider of the app. Each import provides (and exports) its server's state stores
 * under the tokens {@link SessionStore}, {@link EventStore} and {@link NotificationBus}: memory
 * by default, Redis with `state: { redis }`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({
 *       name: 'web-scrape',
 *       version: '1.0.0',
 *       http: { path: '/mcp' },
 *       state: { redis: process.env.REDIS_URL }, // in memory when unset
 *     }),
 *   ],
 *   providers: [ScrapeTools],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [McpCoreModule],
  providers: [
    McpServerHost,
    {
      provide: McpState,
      useFactory: async (options: McpModuleOptions) => {
        const state = McpState.create(options);
        await state.start();
        return state;
      },
      inject: [MCP_MODULE_OPTIONS],
    },
    { provide: SessionStore, useFactory: (s: McpState) => s.sessions, inject: [McpState] },
    { provide: EventStore, useFactory: (s: McpState) => s.events, inject: [McpState] },
    { provide: NotificationBus, useFactory: (s: McpState) => s.bus, inject: [McpState] },
  ],
  exports: [McpServerHost, SessionStore, EventStore, NotificationBus],
})
export class McpModule extends ConfigurableModuleClass {}
