import { Injectable } from '@nestjs/common';
import type { McpServerHost } from './mcp-server.host';

/**
 * Every Rampart server of the app, by name: the way to reach a server's registry at run time
 * (dynamic tools, `list_changed`, resource updates) when the app has several.
 *
 * @example
 * ```ts
 * constructor(private readonly servers: McpServers) {}
 * onModuleInit() { this.servers.get('web-scrape').addTool({ name: 'ping', handler: () => 'pong' }); }
 * ```
 */
@Injectable()
export class McpServers {
  private readonly hosts = new Map<string, McpServerHost>();

  /** @internal */
  register(host: McpServerHost): void {
    if (this.hosts.has(host.name))
      throw new Error(
        `Two McpModule.forRoot() servers are named "${host.name}": server names must be unique in an app`,
      );
    this.hosts.set(host.name, host);
  }

  /** @internal */
  unregister(host: McpServerHost): void {
    if (this.hosts.get(host.name) === host) this.hosts.delete(host.name);
  }

  /** The server named `name`; throws when there is none. */
  get(name: string): McpServerHost {
    const host = this.hosts.get(name);
    if (!host)
      throw new Error(
        `No MCP server named "${name}"; known: ${[...this.hosts.keys()].join(', ') || 'none'}`,
      );
    return host;
  }

  /** Names of all servers. */
  names(): string[] {
    return [...this.hosts.keys()];
  }
}
