import { freePort, TestRedisServer } from '../resilience/redis-server';
import { MODERN, openSession, post, startReplica, type Replica } from './sessions.fixture';
import { describeWith } from '../services';

/**
 * A Redis that stops answering (frozen: its socket stays open) must not hang 2025 sessions: the
 * requests that need the session store are refused at once with 503 and Retry-After, and work
 * again when Redis does. The stateless 2026 era does not need Redis at all.
 */
describeWith('redis-server')('2025 sessions while Redis does not answer', () => {
  let redis: TestRedisServer;
  let replica: Replica;

  beforeAll(async () => {
    redis = new TestRedisServer(await freePort());
    await redis.start();
    replica = await startReplica({
      state: { redis: redis.url, commandTimeoutMs: 300 },
      http: { capacityRetryAfterMs: 2_000 },
    });
  });
  afterAll(async () => {
    redis.thaw();
    await replica.app.close();
    await redis.stop();
  });

  it('answers 503 with Retry-After within the command timeout, and serves the session again after', async () => {
    const session = await openSession(replica.url);
    expect(session.status).toBe(200);
    redis.freeze();
    try {
      const started = Date.now();
      const refused = await post(
        replica.url,
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        session.headers,
      );
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body.error.message).toMatch(/session store does not answer/);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await openSession(replica.url)).status).toBe(503);

      const modern = await post(
        replica.url,
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: {
            name: 'echo',
            arguments: { text: 'still here' },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': MODERN,
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        },
        { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
      );
      expect(modern.body.result.content).toEqual([{ type: 'text', text: 'still here' }]);
    } finally {
      redis.thaw();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (
        await post(replica.url, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, session.headers)
      ).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
