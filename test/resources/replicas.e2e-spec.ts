import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Client } from '@modelcontextprotocol/client';
import {
  RedisResourceStore,
  ResourceStore,
  type OffloadedStructuredContent,
} from '@rampart/resources';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { pageOf, ResourcesFixtureModule } from './resources.fixture';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const notFound = (uri: string) => ({
  code: -32602,
  message: `Resource not found: ${uri}`,
  data: { uri },
});
const headers = (subject: string, tenant = 'acme') => ({ 'x-user': subject, 'x-tenant': tenant });

describeWith('redis')('offloaded results shared by two replicas through Redis', () => {
  const keyPrefix = `test:resources-e2e:${randomUUID()}:`;
  const storage = { redis: REDIS_URL, keyPrefix };
  let a: McpTestApp;
  let b: McpTestApp;
  let aliceOnA: Client;
  let aliceOnB: Client;
  let bobOnB: Client;

  beforeAll(async () => {
    // Two Nest apps, as two replicas: the same Redis, key prefix and signing keys.
    a = await createMcpTestApp({
      imports: [ResourcesFixtureModule.forRoot({ storage })],
      transport: 'http',
      adapter: 'express',
    });
    b = await createMcpTestApp({
      imports: [ResourcesFixtureModule.forRoot({ storage })],
      transport: 'http',
      adapter: 'fastify',
      era: 'legacy',
    });
    aliceOnA = await a.connect(headers('alice'));
    aliceOnB = await b.connect(headers('alice'));
    bobOnB = await b.connect(headers('bob'));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const client = new Redis(REDIS_URL);
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  const offloadOn = async (client: Client, size = 60_000) =>
    (await client.callTool({ name: 'page', arguments: { size } }))
      .structuredContent as OffloadedStructuredContent;
  const readError = (client: Client, uri: string) =>
    client.readResource({ uri }).then(
      () => {
        throw new Error(`${uri} was read`);
      },
      (e: { code: number; message: string; data: unknown }) => ({
        code: e.code,
        message: e.message,
        data: e.data,
      }),
    );

  it('uses a Redis store on both replicas', () => {
    expect(a.module.get(ResourceStore)).toBeInstanceOf(RedisResourceStore);
    expect(b.module.get(ResourceStore)).toBeInstanceOf(RedisResourceStore);
  });

  it('reads on the second replica what the first offloaded, for its owner only', async () => {
    const { resource_uri: uri } = await offloadOn(aliceOnA);
    expect((await aliceOnB.readResource({ uri })).contents).toEqual([
      { uri, mimeType: 'text/plain', text: pageOf(60_000) },
    ]);
    expect(await readError(bobOnB, uri)).toEqual(notFound(uri));
  });

  it('answers not-found on one replica for a link deleted on the other', async () => {
    const { resource_uri: uri } = await offloadOn(aliceOnB);
    expect((await aliceOnA.readResource({ uri })).contents).toHaveLength(1);
    const forgotten = await aliceOnB.callTool({ name: 'forget', arguments: { uri } });
    expect(JSON.parse((forgotten.content as { text: string }[])[0].text)).toEqual({
      deleted: true,
    });
    expect(await readError(aliceOnA, uri)).toEqual(notFound(uri));
  });

  it('counts the bytes of both replicas in one usage', async () => {
    const before = await a.module.get<ResourceStore>(ResourceStore).usage();
    await offloadOn(aliceOnA, 10_000);
    await offloadOn(aliceOnB, 20_000);
    const after = await b.module.get<ResourceStore>(ResourceStore).usage();
    expect(after.entries - before.entries).toBe(2);
    expect(after.bytes - before.bytes).toBe(30_000);
  });

  it('does not read links signed with a key the replica was not given', async () => {
    const stranger = await createMcpTestApp({
      imports: [
        ResourcesFixtureModule.forRoot({
          storage,
          keys: [{ id: 'other', secret: 'another-secret-of-at-least-32-bytes!!' }],
        }),
      ],
      transport: 'http',
    });
    try {
      const { resource_uri: uri } = await offloadOn(aliceOnA);
      const alice = await stranger.connect(headers('alice'));
      expect(await readError(alice, uri)).toEqual(notFound(uri));
    } finally {
      await stranger.close();
    }
  });
});
