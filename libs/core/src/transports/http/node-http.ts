import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpProtocolError, JsonRpcErrorCode } from '../../errors/mcp-protocol.error';

/** Reads a request body up to `limit` bytes; rejects with a JSON-RPC-ready error past it. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function tooLarge(limit: number): McpProtocolError {
  return new McpProtocolError(
    JsonRpcErrorCode.InvalidRequest,
    `Request body too large: the limit is ${limit} bytes`,
    { limitBytes: limit },
    413,
  );
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new McpProtocolError(
      JsonRpcErrorCode.ParseError,
      `Parse error: ${(e as Error).message}`,
      undefined,
      400,
    );
  }
}

/** Writes a JSON-RPC error response. */
export function writeJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: unknown = null,
  data?: unknown,
  headers?: Record<string, string>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
    error: { code, message, ...(data !== undefined && { data }) },
  });
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}
