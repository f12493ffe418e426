import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import type { McpStateOptions } from '@rampart/core';
import { LEGACY, MODERN, openSession, startReplica, type Replica } from './sessions.fixture';
import { describeEachWith, describeWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test:${randomUUID()}:`;

const http = {
  maxSessions: 6,
  maxSessionsPerClient: 2,
  maxListenStreams: 3,
  maxListenStreamsPerClient: 1,
  capacityRetryAfterMs: 2_500,
};

/** A POST from a chosen loopback address (127.0.0.0/8 all reach a server on 127.0.0.1). */
function postFrom(
  localAddress: string,
  url: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; close(): void; first: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        // The first chunk is enough: a refusal is one JSON body; a stream stays open.
        res.once('data', (chunk: Buffer) =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            first: chunk.toString(),
            close: () => req.destroy(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
};

const listen = {
  jsonrpc: '2.0',
  id: 'sub',
  method: 'subscriptions/listen',
  params: {
    notifications: { toolsListChanged: true },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
};
const listenHeaders = { 'mcp-protocol-version': MODERN, 'mcp-method': 'subscriptions/listen' };

/** A fresh state per test: Redis keeps sessions between replicas' lives. */
const stores: [string, () => McpStateOptions][] = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: REDIS_URL, keyPrefix: `${keyPrefix}${randomUUID()}:` })],
];

/** One client cannot fill the server: the caps count per identity, or per address when anonymous. */
describeEachWith(stores, ([name]) => (name === 'Redis' ? 'redis' : undefined))(
  'per-client caps (%s)',
  (_store, state) => {
    let replica: Replica;

    beforeEach(async () => {
      replica = await startReplica({ state: state(), http });
    });
    afterEach(() => replica.app.close());

    it('refuses a 2025 session past the per-identity cap with 503 and Retry-After; another identity still opens one', async () => {
      const mallory = { 'x-user': 'mallory' };
      expect((await openSession(replica.url, mallory)).status).toBe(200);
      expect((await openSession(replica.url, mallory)).status).toBe(200);
      const refused = await openSession(replica.url, mallory);
      expect(refused.status).toBe(503);
      expect(refused.init.headers.get('retry-after')).toBe('3');
      expect(refused.init.body.error).toMatchObject({
        code: -32603,
        message: expect.stringMatching(/this client has 2 sessions open/),
        data: { limit: 'maxSessionsPerClient' },
      });
      expect(refused.id).toBeNull();

      const alice = await openSession(replica.url, { 'x-user': 'alice' });
      expect(alice.status).toBe(200);
      // The same address, anonymous, is another client too.
      expect((await openSession(replica.url)).status).toBe(200);

      // Ending a session gives its slot back.
      const first = await openSession(replica.url, { 'x-user': 'bob' });
      await openSession(replica.url, { 'x-user': 'bob' });
      expect((await openSession(replica.url, { 'x-user': 'bob' })).status).toBe(503);
      const del = await fetch(replica.url, { method: 'DELETE', headers: first.headers });
      expect(del.status).toBe(200);
      expect((await openSession(replica.url, { 'x-user': 'bob' })).status).toBe(200);
    });

    it('counts anonymous clients by address: one address at its cap, another still opens a session', async () => {
      const from = (address: string) => postFrom(address, replica.url, initialize);
      expect((await from('127.0.0.2')).status).toBe(200);
      expect((await from('127.0.0.2')).status).toBe(200);
      const refused = await from('127.0.0.2');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('3');
      expect(JSON.parse(refused.first).error.data).toEqual({ limit: 'maxSessionsPerClient' });
      expect((await from('127.0.0.3')).status).toBe(200);
    });

    it('caps the sessions of the whole server as well', async () => {
      for (let i = 0; i < 6; i++)
        expect((await openSession(replica.url, { 'x-user': `user-${i}` })).status).toBe(200);
      const full = await openSession(replica.url, { 'x-user': 'latecomer' });
      expect(full.status).toBe(503);
      expect(full.init.body.error.data).toEqual({ limit: 'maxSessions' });
    });

    it('refuses a subscriptions/listen stream past the per-client cap with 503 and Retry-After; another client still listens', async () => {
      const held = await postFrom('127.0.0.2', replica.url, listen, listenHeaders);
      expect(held.status).toBe(200);
      const refused = await postFrom('127.0.0.2', replica.url, listen, listenHeaders);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('3');
      expect(JSON.parse(refused.first)).toMatchObject({
        id: 'sub',
        error: { code: -32603, data: { limit: 'maxListenStreamsPerClient' } },
      });
      const other = await postFrom('127.0.0.3', replica.url, listen, listenHeaders);
      expect(other.status).toBe(200);
      const identified = await postFrom('127.0.0.2', replica.url, listen, {
        ...listenHeaders,
        'x-user': 'alice',
      });
      expect(identified.status).toBe(200);
      for (const stream of [held, other, identified]) stream.close();
    });
  },
);

describeWith('redis')('per-client session caps across replicas (real Redis)', () => {
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    const state = { redis: REDIS_URL, keyPrefix: `${keyPrefix}two:` };
    [a, b] = await Promise.all([startReplica({ state, http }), startReplica({ state, http })]);
  });
  afterAll(async () => {
    await Promise.all([a.app.close(), b.app.close()]);
    // The keys of every test of this file.
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('counts the sessions of a client on every replica', async () => {
    const mallory = { 'x-user': 'mallory' };
    expect((await openSession(a.url, mallory)).status).toBe(200);
    expect((await openSession(b.url, mallory)).status).toBe(200);
    expect((await openSession(a.url, mallory)).status).toBe(503);
    expect((await openSession(b.url, mallory)).status).toBe(503);
    expect((await openSession(b.url, { 'x-user': 'alice' })).status).toBe(200);
  });
});
