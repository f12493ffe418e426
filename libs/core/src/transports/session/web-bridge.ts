import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The Web `Request` of a Node request, for the SDK's Web-standard transport: method, URL and
 * headers. The body is not copied: the endpoint has parsed it and hands it over as `parsedBody`.
 */
export function webRequestOf(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (name === 'content-length' || name === 'transfer-encoding') continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = req.headers.host ?? 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers });
}

/**
 * Writes a Web `Response` to a Node response. A streamed body (SSE) is written as it comes,
 * respecting backpressure; when the client goes away the body is cancelled at once, so the
 * transport forgets the stream and the client can resume it (`Last-Event-ID`) without a
 * `409 Conflict`.
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  let gone = res.destroyed;
  let wake: (() => void) | undefined;
  const onClose = () => {
    gone = true;
    wake?.();
    reader.cancel().catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    while (!gone) {
      const { done, value } = await reader.read();
      if (done || gone) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once('drain', resolve);
        });
        res.off('drain', wake!);
        wake = undefined;
      }
    }
  } catch {
    // The stream failed or was cancelled: the response ends below.
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}

/** The JSON-RPC messages of an SSE body (`data:` lines), in order. */
export function sseMessages(text: string): unknown[] {
  const messages: unknown[] = [];
  for (const line of text.split('\n'))
    if (line.startsWith('data:')) {
      const data = line.slice(5).trim();
      if (data) messages.push(JSON.parse(data));
    }
  return messages;
}
