/**
 * Ceiling baseline: a hand-written JSON-RPC handler on bare `node:http`
 * answering MCP `tools/call` (the `echo` tool) and `tools/list` (`echo` plus
 * TOOLS extra tools) in the 2026-07-28 stateless wire form. No framework, no
 * SDK, no validation beyond what is needed to answer correctly: it measures
 * what HTTP + JSON parse/serialize alone cost. Result payloads mirror the
 * SDK's byte for byte in shape (serverInfo `_meta`, `resultType`, list cache
 * hints) so every target puts the same work on the wire. Listens on
 * 127.0.0.1:$PORT, path /mcp.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  BENCH_HOST,
  BENCH_PROTOCOL_VERSION,
  DEFAULT_TOOLS,
  ECHO_DESCRIPTION,
  extraTools,
  intFromEnv,
  MCP_PATH,
  portFromEnv,
} from './shared';

type JsonRpcId = string | number | null;

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: JsonRpcId;
  method?: unknown;
  params?: {
    name?: unknown;
    arguments?: { text?: unknown };
    _meta?: Record<string, unknown>;
  };
}

const port = portFromEnv();
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
const SERVER_INFO_META = {
  'io.modelcontextprotocol/serverInfo': { name: 'bench-raw', version: '1.0.0' },
};
const TEXT_INPUT_SCHEMA = {
  type: 'object',
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  properties: { text: { type: 'string' } },
  required: ['text'],
};
const tools = [
  { name: 'echo', description: ECHO_DESCRIPTION, inputSchema: TEXT_INPUT_SCHEMA },
  ...extraTools(intFromEnv('TOOLS', DEFAULT_TOOLS)).map((tool) => ({
    ...tool,
    inputSchema: TEXT_INPUT_SCHEMA,
  })),
];

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendError(res: ServerResponse, id: JsonRpcId, code: number, message: string): void {
  send(res, 200, { jsonrpc: '2.0', id, error: { code, message } });
}

/** Answers one parsed JSON-RPC request. */
function dispatch(res: ServerResponse, request: JsonRpcRequest): void {
  const id = request.id ?? null;
  const modern = request.params?._meta?.[PROTOCOL_VERSION_META_KEY] === BENCH_PROTOCOL_VERSION;
  const complete = modern ? { resultType: 'complete' } : {};
  switch (request.method) {
    case 'tools/call': {
      const text = request.params?.arguments?.text;
      if (request.params?.name !== 'echo') {
        sendError(res, id, -32602, `Unknown tool: ${String(request.params?.name)}`);
      } else if (typeof text !== 'string') {
        sendError(res, id, -32602, 'Invalid arguments: text must be a string');
      } else {
        send(res, 200, {
          jsonrpc: '2.0',
          id,
          result: { content: [{ type: 'text', text }], ...complete, _meta: SERVER_INFO_META },
        });
      }
      return;
    }
    case 'tools/list':
      send(res, 200, {
        jsonrpc: '2.0',
        id,
        result: {
          tools,
          ...complete,
          ...(modern ? { ttlMs: 0, cacheScope: 'private' } : {}),
          _meta: SERVER_INFO_META,
        },
      });
      return;
    default:
      sendError(res, id, -32601, `Method not found: ${String(request.method)}`);
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url !== MCP_PATH) {
    res.writeHead(404).end();
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let request: JsonRpcRequest;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonRpcRequest;
    } catch {
      sendError(res, null, -32700, 'Parse error');
      return;
    }
    dispatch(res, request);
  });
}

createServer(handle).listen(port, BENCH_HOST, () => {
  console.log(`[raw-server] listening on http://${BENCH_HOST}:${port}${MCP_PATH}`);
});
