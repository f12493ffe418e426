import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import {
  Balancer,
  LEGACY,
  MODERN,
  openSession,
  openStream,
  post,
  startReplica,
  until,
  type Replica,
} from './sessions.fixture';
import { describeWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two replicas of one server behind a load balancer, sharing Redis: a 2025-11-25 session opened
 * on one is served by the other, and changes published on either reach the clients of both.
 */
describeWith('redis')('2025 sessions across two replicas (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  let a: Replica;
  let b: Replica;
  let balancer: Balancer;
  const clients: Client[] = [];

  beforeAll(async () => {
    const state = { redis: REDIS_URL, keyPrefix };
    [a, b] = await Promise.all([startReplica({ state }), startReplica({ state })]);
  });

  beforeEach(() => {
    balancer = new Balancer({ a, b });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  afterAll(async () => {
    await Promise.all([a.app.close(), b.app.close()]);
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  /** A 2025 client behind the balancer; its GET stream reconnects quickly. */
  async function legacyClient(options: ConstructorParameters<typeof Client>[1] = {}) {
    const client = new Client({ name: 'legacy-client', version: '1.0.0' }, options);
    const transport = new StreamableHTTPClientTransport(new URL(a.url), {
      fetch: balancer.fetch,
      reconnectionOptions: {
        initialReconnectionDelay: 20,
        maxReconnectionDelay: 100,
        reconnectionDelayGrowFactor: 1.5,
        maxRetries: 5,
      },
    });
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  }

  /**
   * Waits until the client's GET stream delivers a list change published on `replica`; resolves
   * with the number of changes published meanwhile.
   */
  async function streamOpen(client: Client, replica: Replica): Promise<number> {
    let arrived = false;
    let published = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      arrived = true;
    });
    await until(() => {
      if (!arrived) {
        replica.notifyListChanged();
        published++;
      }
      return arrived;
    });
    return published;
  }

  /** The events Redis keeps for a session's GET stream. */
  async function storedStandaloneEvents(sessionId: string): Promise<number> {
    const admin = new Redis(REDIS_URL);
    try {
      const entries = (await admin.xrange(
        `${keyPrefix}sessions:events:${sessionId}`,
        '-',
        '+',
      )) as [string, string[]][];
      return entries.filter(([, fields]) => fields[1] === '_GET_stream').length;
    } finally {
      await admin.quit();
    }
  }

  it('serves a session opened on A on B: tools, lists, GET resumption with Last-Event-ID, DELETE', async () => {
    const { client, transport } = await legacyClient();
    const sessionId = transport.sessionId!;
    expect(balancer.log[0]).toMatchObject({ to: 'a', method: 'POST', rpc: 'initialize' });
    const probes = await streamOpen(client, a);
    expect(balancer.log.filter((r) => r.method === 'GET').map((r) => r.to)).toEqual(['a']);

    // Every request now goes to B, which never saw the session opened.
    balancer.target = 'b';
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect(JSON.parse((who.content as { text: string }[])[0].text)).toEqual({
      session: sessionId,
      subject: null,
      client: 'legacy-client',
    });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('greet');
    expect(balancer.log.at(-1)).toMatchObject({ to: 'b', rpc: 'tools/list' });

    // The GET stream drops; a change published on A meanwhile waits in Redis; the client
    // resumes on B with Last-Event-ID and gets it.
    const changes: unknown[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (n) => void changes.push(n));
    balancer.dropStreams();
    a.notifyListChanged();
    await until(() => changes.length === 1);
    const resumed = balancer.log.filter((r) => r.method === 'GET').at(-1)!;
    expect(resumed).toMatchObject({ to: 'b', lastEventId: expect.any(String) });

    // Now the stream lives on B: a change published on A reaches it through the bus.
    a.notifyListChanged();
    await until(() => changes.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    // Once each: A's copy and B's copy both deliver it, and Redis keeps one event per change.
    expect(changes).toHaveLength(2);
    expect(await storedStandaloneEvents(sessionId)).toBe(probes + 2);

    // DELETE on B ends the session on A too.
    await transport.terminateSession();
    expect(balancer.log.at(-1)).toMatchObject({ to: 'b', method: 'DELETE' });
    const onA = await post(
      a.url,
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      { 'mcp-session-id': sessionId, 'mcp-protocol-version': LEGACY },
    );
    expect(onA.status).toBe(404);
  });

  it('delivers resources/updated for a subscription made on A to the stream held on B', async () => {
    const { client } = await legacyClient();
    await client.subscribeResource({ uri: 'memo://today' });
    balancer.target = 'b';
    balancer.dropStreams();
    await streamOpen(client, a);
    expect(balancer.log.filter((r) => r.method === 'GET').at(-1)!.to).toBe('b');

    const updates: unknown[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n));
    a.notifyResourceUpdated('memo://other');
    a.notifyResourceUpdated('memo://today');
    await until(() => updates.length === 1);
    expect(updates[0]).toMatchObject({ params: { uri: 'memo://today' } });

    // Unsubscribed on B: A's copy learns it too.
    await client.unsubscribeResource({ uri: 'memo://today' });
    b.notifyResourceUpdated('memo://today');
    a.notifyResourceUpdated('memo://today');
    a.notifyListChanged();
    await new Promise((r) => setTimeout(r, 200));
    expect(updates).toHaveLength(1);
  });

  it('keeps the log level the client set on one replica on the other', async () => {
    const { client } = await legacyClient();
    await client.setLoggingLevel('error');
    balancer.target = 'b';
    const lines: unknown[] = [];
    client.setNotificationHandler('notifications/message', (n) => void lines.push(n.params.data));
    await client.callTool({ name: 'chatty', arguments: {} });
    expect(lines).toEqual(['an error line']);
  });

  it('routes the answer to an elicitation sent by A and posted to B back to A', async () => {
    const { client } = await legacyClient({ capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }));
    // The call goes to A; every other POST (the answer among them) to B.
    balancer.route = ({ method, body }) =>
      method === 'POST' && (body as { method?: string })?.method === 'tools/call' ? 'a' : 'b';
    const result = await client.callTool({ name: 'greet', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada' }]);
    expect(balancer.log).toContainEqual(expect.objectContaining({ to: 'b', rpc: 'response' }));
  });

  it('answers 403 on B to another identity presenting a session opened on A', async () => {
    const alice = await openSession(a.url, { 'x-user': 'alice' });
    expect(alice.status).toBe(200);
    const stolen = await post(
      b.url,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { ...alice.headers, 'x-user': 'mallory' },
    );
    expect(stolen.status).toBe(403);
    const anonymous = await post(
      b.url,
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { ...alice.headers, 'x-user': '' },
    );
    expect(anonymous.status).toBe(403);
    const owner = await post(
      b.url,
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      alice.headers,
    );
    expect(JSON.parse(owner.body.result.content[0].text)).toMatchObject({
      session: alice.id,
      subject: 'alice',
    });
  });

  it('delivers a list change published on A to a 2026 subscriptions/listen stream on B', async () => {
    const listen = await openStream(
      b.url,
      {
        'content-type': 'application/json',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'subscriptions/listen',
      },
      {
        method: 'POST',
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 'sub-1',
          method: 'subscriptions/listen',
          params: {
            notifications: { toolsListChanged: true },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': MODERN,
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        }),
      },
    );
    expect(listen.status).toBe(200);
    expect((await listen.next())?.data.method).toBe('notifications/subscriptions/acknowledged');
    a.notifyListChanged();
    expect((await listen.next())?.data).toMatchObject({
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } },
    });
    listen.close();
  });
});
