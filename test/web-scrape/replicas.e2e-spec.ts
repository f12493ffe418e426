import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RedisSessionStore, SessionStore } from '@rampart/core';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { itWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function start(redisUrl: string | undefined): Promise<INestApplication> {
  const module = await Test.createTestingModule({
    imports: [AppModule.forRoot({ redisUrl })],
  }).compile();
  const app = module.createNestApplication({ logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return app;
}

const urlOf = (app: INestApplication) =>
  `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;

describe('web-scrape replicas sharing REDIS_URL', () => {
  it('keeps sessions in memory without Redis', async () => {
    const app = await start(undefined);
    try {
      expect(app.get(SessionStore)).not.toBeInstanceOf(RedisSessionStore);
    } finally {
      await app.close();
    }
  });

  itWith('redis')('serves a 2025 session opened on one replica on the other', async () => {
    const [a, b] = await Promise.all([start(REDIS_URL), start(REDIS_URL)]);
    const client = new Client({ name: 'web-client', version: '1.0.0' });
    let target = urlOf(a);
    const transport = new StreamableHTTPClientTransport(new URL(target), {
      fetch: (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        const to = new URL(target);
        url.host = to.host;
        return fetch(url, init);
      },
    });
    try {
      expect(a.get(SessionStore)).toBeInstanceOf(RedisSessionStore);
      await client.connect(transport);
      const sessionId = transport.sessionId!;
      expect(await b.get<SessionStore>(SessionStore).get(sessionId)).toMatchObject({
        clientInfo: { name: 'web-client' },
      });
      target = urlOf(b);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'batch_scrape',
        'get_metrics',
        'scrape_url',
      ]);
      await transport.terminateSession();
      expect(
        await b.get<SessionStore>(SessionStore).get(transport.sessionId ?? ''),
      ).toBeUndefined();
    } finally {
      await client.close().catch(() => undefined);
      await Promise.all([a.close(), b.close()]);
    }
  });
});
