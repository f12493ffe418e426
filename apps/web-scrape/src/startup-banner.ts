/** What the startup banner describes: the bound address, and how to start the app on stdio. */
export interface StartupBannerInput {
  /** The address the HTTP server is bound to (`HOST`), e.g. `127.0.0.1` or `0.0.0.0`. */
  host: string;
  /** The bound port (not `PORT`: `PORT=0` picks a free one). */
  port: number;
  /** Path of the MCP endpoint, e.g. `/mcp`. */
  path: string;
  /** The Node.js binary that runs the app (`process.execPath`), for the stdio configuration. */
  nodePath: string;
  /** Absolute path of the app's `main.js`, for the stdio configuration. */
  mainPath: string;
  /** How long calls in flight get to finish at Ctrl-C, in milliseconds. */
  gracePeriodMs: number;
  /** One line on how callers are authenticated (or that nothing checks them). */
  authentication?: string;
  /** One line on what the scraper may fetch from (public addresses, and what `EGRESS_ALLOW` adds). */
  egress?: string;
  /** One line on how `purge_pages` is approved (or that it is not served). */
  approvals?: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * The URL a client on this machine reaches the endpoint at: the bound address, or loopback when
 * the server listens on every interface (`0.0.0.0` or `::` cannot be connected to).
 *
 * @example
 * endpointUrl('0.0.0.0', 3000, '/mcp'); // 'http://127.0.0.1:3000/mcp'
 */
export function endpointUrl(host: string, port: number, path: string): string {
  const reachable = WILDCARDS.has(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}${path}`;
}

/**
 * The lines the app prints once it listens: where, and an MCP client configuration to paste,
 * over HTTP (to this server) and over stdio (the client starts its own server).
 *
 * @example
 * process.stderr.write(startupBanner({ host: '127.0.0.1', port: 3000, path: '/mcp', ... }));
 */
export function startupBanner(input: StartupBannerInput): string {
  const url = endpointUrl(input.host, input.port, input.path);
  const where = WILDCARDS.has(input.host)
    ? `web-scrape is listening on every interface, port ${input.port}; from this machine: ${url}`
    : `web-scrape is listening on ${url}`;
  const http = { mcpServers: { 'web-scrape': { type: 'http', url } } };
  const stdio = {
    mcpServers: {
      'web-scrape': { command: input.nodePath, args: [input.mainPath, '--stdio'] },
    },
  };
  return [
    where,
    ...(input.authentication ? [input.authentication] : []),
    ...(input.egress ? [input.egress] : []),
    ...(input.approvals ? [input.approvals] : []),
    '',
    'MCP client configuration (.mcp.json, claude_desktop_config.json, .cursor/mcp.json, ...):',
    '',
    'over HTTP, to this server:',
    JSON.stringify(http, null, 2),
    '',
    'or over stdio, the client starting its own server:',
    JSON.stringify(stdio, null, 2),
    '',
    `Ctrl-C stops it; calls in flight get up to ${formatMs(input.gracePeriodMs)} to finish.`,
    '',
  ].join('\n');
}

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
