import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  EventStore,
  InMemorySessionStore,
  McpModule,
  RedisEventStore,
  RedisSessionStore,
  SessionStore,
} from '@rampart/core';
import { NotesModule, notesState } from '../../docs/examples/state.example';
import { describeWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test:${randomUUID()}:`;

async function start(imports: unknown[]): Promise<INestApplication> {
  const module = await Test.createTestingModule({ imports: imports as never[] }).compile();
  const app = module.createNestApplication({ logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return app;
}

const urlOf = (app: INestApplication) =>
  `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;

describeWith('redis')('docs example: state across replicas', () => {
  afterAll(async () => {
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('keeps sessions in memory alone, and serves one session from two replicas with Redis', async () => {
    const alone = await start([NotesModule.forRoot(undefined)]);
    expect(alone.get(SessionStore)).toBeInstanceOf(InMemorySessionStore);
    await alone.close();

    const [a, b] = await Promise.all([
      start([NotesModule.forRoot(REDIS_URL, keyPrefix)]),
      start([NotesModule.forRoot(REDIS_URL, keyPrefix)]),
    ]);
    let target = urlOf(a);
    const client = new Client({ name: 'notes-client', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(target), {
      fetch: (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        url.host = new URL(target).host;
        return fetch(url, init);
      },
    });
    try {
      await client.connect(transport);
      target = urlOf(b);
      const result = await client.callTool({ name: 'note', arguments: { text: 'on B' } });
      expect(result.content).toEqual([{ type: 'text', text: 'on B' }]);
      await transport.terminateSession();
    } finally {
      await client.close().catch(() => undefined);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('takes stores the app builds', async () => {
    const client = new Redis(REDIS_URL);
    const app = await start([
      McpModule.forRoot({
        name: 'notes',
        version: '1.0.0',
        state: notesState(client, keyPrefix),
      }),
    ]);
    try {
      expect(app.get(SessionStore)).toBeInstanceOf(RedisSessionStore);
      expect(app.get(EventStore)).toBeInstanceOf(RedisEventStore);
    } finally {
      await app.close();
      await client.quit();
    }
  });
});
