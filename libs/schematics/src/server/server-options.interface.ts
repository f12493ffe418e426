import type { PartOptions } from '../utils/part-options.interface';

/**
 * Options of `nest g -c @rampart/schematics server NAME`.
 *
 * @example
 * nest g -c @rampart/schematics server billing --http-path /billing/mcp
 */
export interface ServerOptions extends PartOptions {
  /**
   * HTTP path of the server's Streamable HTTP endpoint.
   * @default '/<name>/mcp'
   */
  httpPath?: string;
  /**
   * The version the server reports to clients.
   * @default the project's package.json version, else '0.0.1'
   */
  version?: string;
}
