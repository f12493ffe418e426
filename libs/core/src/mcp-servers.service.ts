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

  /** The server named `name`, or `undefined` when the app has none by that name. */
  find(name: string): McpServerHost | undefined {
    return this.hosts.get(name);
  }

  /** Names of all servers. */
  names(): string[] {
    return [...this.hosts.keys()];
  }

  /**
   * Every server of the app, to read their registries: what each declares, as discovery found it
   * (`entry.handler`). Servers register and fill their registries when their module initialises,
   * so read it from `onApplicationBootstrap()` or later; tools added at run time appear in the
   * registry too (`registry.onChange()`).
   *
   * @example
   * ```ts
   * onApplicationBootstrap() {
   *   for (const { registry } of this.servers.all())
   *     for (const tool of registry.tools.list()) this.check(registry.server, tool);
   * }
   * ```
   */
  all(): McpServerHost[] {
    return [...this.hosts.values()];
  }
}
