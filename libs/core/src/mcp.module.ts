import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { McpExplorer } from './discovery/mcp-explorer.service';
import { McpServerHost } from './mcp-server.host';
import { McpServers } from './mcp-servers.service';
import { ConfigurableModuleClass } from './mcp.module-definition';

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
 * in every provider of the app.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [McpModule.forRoot({ name: 'web-scrape', version: '1.0.0', http: { path: '/mcp' } })],
 *   providers: [ScrapeTools],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [McpCoreModule],
  providers: [McpServerHost],
  exports: [McpServerHost],
})
export class McpModule extends ConfigurableModuleClass {}
