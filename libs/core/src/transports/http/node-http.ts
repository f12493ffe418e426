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

/**
 * Writes a Web `Response` to a Node response: JSON bodies in one write, SSE streams as they
 * come, cancelled when the client goes away.
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  const type = headers['content-type'] ?? '';
  if (!response.body || !type.startsWith('text/event-stream')) {
    const text = response.body ? await response.text() : '';
    res.writeHead(response.status, headers);
    res.end(text);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  res.on('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away or the stream failed: nothing more can be written.
  } finally {
    res.off('close', cancel);
    res.end();
  }
}
