import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MODERN_PROTOCOL_VERSION, RedisSessionStore, SessionStore } from '@rampart/core';
import { RedisResourceStore, ResourceStore, type ResourceLinkKey } from '@rampart/resources';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { itWith } from '../services';
import { FIXTURE_EGRESS, FixtureSite, LARGE_TEXT } from './fixture-site';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function start(
  redisUrl: string | undefined,
  keys?: ResourceLinkKey[],
): Promise<INestApplication> {
  const module = await Test.createTestingModule({
    imports: [AppModule.forRoot({ redisUrl, egress: FIXTURE_EGRESS, resources: { keys } })],
  }).compile();
  const app = module.createNestApplication({ logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * The 2025 session `id` as an app's session stores know it: the app serves two MCP servers
 * (web-scrape and its catalogue), each with its own store.
 */
async function sessionOn(app: INestApplication, id: string) {
  const stores: SessionStore[] = app.get(SessionStore, { each: true });
  expect(stores).toHaveLength(2);
  return (await Promise.all(stores.map((s) => s.get(id)))).find((found) => found !== undefined);
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
      expect(await sessionOn(b, sessionId)).toMatchObject({
        clientInfo: { name: 'web-client' },
      });
      target = urlOf(b);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'batch_scrape',
        'cancel_task',
        'crawl_site',
        'get_metrics',
        'get_task_result',
        'get_task_status',
        'scrape_url',
      ]);
      await transport.terminateSession();
      expect(await sessionOn(b, transport.sessionId ?? '')).toBeUndefined();
    } finally {
      await client.close().catch(() => undefined);
      await Promise.all([a.close(), b.close()]);
    }
  });

  describe('offloaded pages', () => {
    let site: FixtureSite;
    beforeAll(async () => {
      site = await new FixtureSite().start();
    });
    afterAll(() => site?.stop());

    /** Scrapes the large page on `a` and reads its link on `b`, each with a client of its own. */
    async function scrapeThenRead(a: INestApplication, b: INestApplication) {
      const connect = async (app: INestApplication) => {
        const client = new Client(
          { name: 'replica-client', version: '1.0.0' },
          { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } },
        );
        await client.connect(new StreamableHTTPClientTransport(new URL(urlOf(app))));
        return client;
      };
      const [onA, onB] = [await connect(a), await connect(b)];
      try {
        const result = await onA.callTool({
          name: 'scrape_url',
          arguments: { url: `${site.url}/large` },
        });
        const { resource_uri: uri } = result.structuredContent as { resource_uri: string };
        return await onB.readResource({ uri }).then(
          (read) => read.contents,
          (error: { code?: number }) => error.code,
        );
      } finally {
        await Promise.all([onA.close(), onB.close()]);
      }
    }

    itWith('redis')(
      'are read on any replica that shares REDIS_URL and RESOURCE_LINK_KEYS',
      async () => {
        const keys = [{ id: 'k1', secret: randomBytes(32).toString('base64') }];
        const [a, b] = await Promise.all([start(REDIS_URL, keys), start(REDIS_URL, keys)]);
        try {
          expect(a.get(ResourceStore)).toBeInstanceOf(RedisResourceStore);
          expect(await scrapeThenRead(a, b)).toEqual([
            expect.objectContaining({ mimeType: 'text/plain', text: LARGE_TEXT }),
          ]);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      },
    );

    itWith('redis')(
      'are not read on another replica without shared keys (each makes its own)',
      async () => {
        const [a, b] = await Promise.all([start(REDIS_URL), start(REDIS_URL)]);
        try {
          // The one resource-not-found (-32602): b cannot check a's signature.
          expect(await scrapeThenRead(a, b)).toBe(-32602);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      },
    );
  });
});
