import { InMemoryServerEventBus, type JSONRPCRequest } from '@modelcontextprotocol/server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListenStreams } from './listen-streams';

const SUB = 'io.modelcontextprotocol/subscriptionId';

/** An open listen stream, read frame by frame. */
interface Reader {
  status: number;
  type: string | null;
  next(): Promise<any>;
  cancel(): Promise<void>;
}

describe('ListenStreams', () => {
  let bus: InMemoryServerEventBus;
  let streams: ListenStreams;
  let http: Server;
  let url: string;
  let id = 0;

  beforeEach(async () => {
    bus = new InMemoryServerEventBus();
    streams = new ListenStreams(
      bus,
      { tools: { listChanged: true }, resources: { subscribe: true } },
      { name: 'test', version: '1.0.0' },
      { maxStreams: 3, maxStreamsPerClient: 2, retryAfterMs: 1_500, keepAliveMs: 0 },
    );
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        streams.serve(
          JSON.parse(body) as JSONRPCRequest,
          res,
          String(req.headers['x-client'] ?? 'anonymous'),
        ),
      );
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    streams.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  async function listen(notifications: unknown, client = 'anonymous'): Promise<Reader> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-client': client },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'subscriptions/listen',
        params: { notifications },
      }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      async next() {
        for (;;) {
          const line = buffer.split('\n').find((l) => l.startsWith('data: '));
          if (line) {
            buffer = buffer.slice(buffer.indexOf(line) + line.length + 1);
            return JSON.parse(line.slice(6));
          }
          const { done, value } = await reader.read();
          if (done) return undefined;
          buffer += decoder.decode(value, { stream: true });
        }
      },
      cancel: () => reader.cancel(),
    };
  }

  it('acknowledges the honoured filter first, then tags every change with the subscription id', async () => {
    const stream = await listen({ toolsListChanged: true, promptsListChanged: true });
    expect(stream.status).toBe(200);
    expect(stream.type).toBe('text/event-stream');
    const ack = await stream.next();
    expect(ack).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      // prompts.listChanged is not declared, so it is not honoured.
      params: { _meta: { [SUB]: id }, notifications: { toolsListChanged: true } },
    });
    bus.publish({ kind: 'prompts_list_changed' });
    bus.publish({ kind: 'tools_list_changed' });
    expect(await stream.next()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { [SUB]: id } },
    });
    await stream.cancel();
  });

  it('delivers resource updates only for the URIs the stream named', async () => {
    const stream = await listen({ resourceSubscriptions: ['test://a'] });
    await stream.next();
    bus.publish({ kind: 'resource_updated', uri: 'test://b' });
    bus.publish({ kind: 'resource_updated', uri: 'test://a' });
    expect(await stream.next()).toMatchObject({
      method: 'notifications/resources/updated',
      params: { uri: 'test://a', _meta: { [SUB]: id } },
    });
    await stream.cancel();
  });

  it('ends a stream with nothing to deliver after the ack, with the final result', async () => {
    const stream = await listen({ promptsListChanged: true });
    expect((await stream.next()).params.notifications).toEqual({});
    expect(await stream.next()).toEqual({
      jsonrpc: '2.0',
      id,
      result: {
        resultType: 'complete',
        _meta: {
          [SUB]: id,
          'io.modelcontextprotocol/serverInfo': { name: 'test', version: '1.0.0' },
        },
      },
    });
    expect(await stream.next()).toBeUndefined();
    expect(streams.size).toBe(0);
  });

  const post = async (body: object, client = 'anonymous') => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-client': client },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: await res.json(),
    };
  };
  const listenWith = (notifications: unknown) => ({
    jsonrpc: '2.0',
    id: 77,
    method: 'subscriptions/listen',
    params: { notifications },
  });

  it('refuses an invalid filter with a JSON-RPC error', async () => {
    expect((await post(listenWith({ toolsListChanged: 'yes' }))).body).toMatchObject({
      id: 77,
      error: { code: -32602 },
    });
  });

  it('refuses a client at its cap with 503 and Retry-After, while another client still listens', async () => {
    const a = await listen({ toolsListChanged: true }, 'mallory');
    const b = await listen({ toolsListChanged: true }, 'mallory');
    await a.next();
    await b.next();
    const refused = await post(listenWith({ toolsListChanged: true }), 'mallory');
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('2');
    expect(refused.body).toEqual({
      jsonrpc: '2.0',
      id: 77,
      error: {
        code: -32603,
        message: expect.stringMatching(/^Subscription limit reached: this client has 2/),
        data: { limit: 'maxListenStreamsPerClient' },
      },
    });
    expect(streams.sizeOf('mallory')).toBe(2);

    const other = await listen({ toolsListChanged: true }, 'alice');
    expect(other.status).toBe(200);
    expect((await other.next()).method).toBe('notifications/subscriptions/acknowledged');

    // Past the overall cap, every client is refused.
    const full = await post(listenWith({ toolsListChanged: true }), 'bob');
    expect(full.status).toBe(503);
    expect(full.body.error.data).toEqual({ limit: 'maxListenStreams' });

    // A stream that ends gives its slot back to its client.
    await a.cancel();
    for (let i = 0; i < 50 && streams.sizeOf('mallory') > 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    const again = await listen({ toolsListChanged: true }, 'mallory');
    expect(again.status).toBe(200);
    await Promise.all([b.cancel(), other.cancel(), again.cancel()]);
  });

  it('forgets a stream when the client goes away, and ends the rest gracefully on close', async () => {
    const gone = await listen({ toolsListChanged: true });
    const kept = await listen({ toolsListChanged: true });
    await gone.next();
    await kept.next();
    await gone.cancel();
    const deadline = Date.now() + 10_000;
    while (streams.size > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(streams.size).toBe(1);
    streams.close();
    expect((await kept.next()).result.resultType).toBe('complete');
    expect(await kept.next()).toBeUndefined();
  });
});
