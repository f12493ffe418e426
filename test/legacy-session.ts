/** A 2025-era session opened with raw HTTP, to send what the SDK's client does not. */
export interface RawLegacySession {
  /** The `Mcp-Session-Id` the server gave. */
  readonly id: string;
  /** POSTs `body` (a message or a batch) on the session, with the given extra headers. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Headers of every POST: JSON in, JSON or SSE out. */
const POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/**
 * POSTs `body` to a 2025-era endpoint outside any session (an `initialize`, or a message that a
 * test means to be refused).
 */
export function postLegacy(
  url: string | URL,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...POST_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * Opens a session with raw `initialize` and `notifications/initialized` POSTs, for the protocol
 * version given (`2025-03-26` clients may send JSON-RPC batches), with `headers` (credentials) on
 * every POST; the session's POSTs carry its id and version.
 *
 * @example
 * const session = await openLegacySession(url, { authorization: `Bearer ${token}` });
 * const res = await session.post([call(1), call(2)]);
 */
export async function openLegacySession(
  url: string | URL,
  headers: Record<string, string> = {},
  protocolVersion = '2025-03-26',
): Promise<RawLegacySession> {
  const init = await postLegacy(
    url,
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    },
    headers,
  );
  if (init.status !== 200) throw new Error(`initialize answered ${init.status}`);
  await init.body?.cancel();
  const id = init.headers.get('mcp-session-id');
  if (!id) throw new Error('initialize answered no Mcp-Session-Id');
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    postLegacy(url, body, {
      ...headers,
      'mcp-session-id': id,
      'mcp-protocol-version': protocolVersion,
      ...extra,
    });
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).body?.cancel();
  return { id, post };
}
