/**
 * SDK baseline: the MCP TypeScript SDK v2 stateless entry (`createMcpHandler`)
 * with a per-request `McpServer` factory, served on plain `node:http` through
 * `toNodeHandler`. Registers `echo` plus TOOLS extra tools; listens on
 * 127.0.0.1:$PORT, path /mcp.
 */
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import {
  BENCH_HOST,
  DEFAULT_TOOLS,
  ECHO_DESCRIPTION,
  extraTools,
  intFromEnv,
  MCP_PATH,
  portFromEnv,
} from './shared';

const port = portFromEnv();
const extras = extraTools(intFromEnv('TOOLS', DEFAULT_TOOLS));
const textInput = z.object({ text: z.string() });

/** Builds the server instance the handler uses for one request. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench-sdk', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: ECHO_DESCRIPTION, inputSchema: textInput },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  for (const tool of extras) {
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: textInput },
      ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
  }
  return server;
}

const handler = createMcpHandler(buildServer, {
  onerror: (error) => console.error('[sdk-server] handler error:', error),
});
const nodeHandler = toNodeHandler(handler, {
  onerror: (error) => console.error('[sdk-server] adapter error:', error),
});

const httpServer = createServer((req, res) => {
  if (req.url !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  void nodeHandler(req, res);
});

httpServer.listen(port, BENCH_HOST, () => {
  console.log(`[sdk-server] listening on http://${BENCH_HOST}:${port}${MCP_PATH}`);
});
