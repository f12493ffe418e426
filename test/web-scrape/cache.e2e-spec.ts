import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { ResultCache } from '@rampart/resources';
import { generateApiKey } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { describeWith } from '../services';
import { ARTICLE_TEXT, FIXTURE_EGRESS, FixtureSite } from './fixture-site';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const RESOURCE = 'https://mcp.test/mcp';

type Offloaded = { resource_uri: string; preview: string };

const text = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { type: string; text?: string }[]).map((b) => b.text ?? '').join('');

/** Two services in a keys file, with the scope scrape_url needs (hashes only). */
function keysFile() {
  const a = generateApiKey();
  const b = generateApiKey();
  const path = join(mkdtempSync(join(tmpdir(), 'web-scrape-cache-keys-')), 'keys.json');
  const record = (k: typeof a, subject: string) => ({
    id: k.id,
    hash: k.hash,
    subject,
    scopes: ['scrape:read'],
    createdAt: new Date().toISOString(),
  });
  writeFileSync(path, JSON.stringify([record(a, 'svc-a'), record(b, 'svc-b')]));
  return { path, a: a.key, b: b.key };
}

let site: FixtureSite;
beforeAll(async () => {
  site = await new FixtureSite().start();
});
afterAll(() => site.stop());

const hits = (path: string) => site.hits.get(path) ?? 0;
const scrape = (client: Client, args: Record<string, unknown>) =>
  client.callTool({ name: 'scrape_url', arguments: args });

describe('scrape_url cached, the server open', () => {
  let t: McpTestApp;
  beforeAll(async () => {
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          security: false,
          egress: FIXTURE_EGRESS,
          scrapeCacheTtlMs: 60_000,
          logLevel: 'error',
        }),
      ],
      transport: 'http',
    });
  });
  afterAll(() => t?.close());

  it('answers the same URL again without fetching it, to every caller', async () => {
    const before = hits('/article');
    const first = await scrape(t.client, { url: `${site.url}/article` });
    expect(text(first)).toContain(ARTICLE_TEXT.slice(0, 40));
    expect(hits('/article')).toBe(before + 1);
    const second = await scrape(t.client, { url: `${site.url}/article` });
    expect(second).toEqual(first);
    // Open server: callers have no identity, and the entry is shared.
    const other = await t.connect();
    expect(await scrape(other, { url: `${site.url}/article` })).toEqual(first);
    expect(hits('/article')).toBe(before + 1);
    // Another maxChars is another answer: fetched again.
    await scrape(t.client, { url: `${site.url}/article`, maxChars: 100 });
    expect(hits('/article')).toBe(before + 2);
  });

  it('does not keep a failure: a refused page is fetched again', async () => {
    const before = hits('/image');
    expect((await scrape(t.client, { url: `${site.url}/image` })).isError).toBe(true);
    expect((await scrape(t.client, { url: `${site.url}/image` })).isError).toBe(true);
    expect(hits('/image')).toBe(before + 2);
  });
});

describe('scrape_url with SCRAPE_CACHE_TTL_MS=0', () => {
  it('fetches on every call', async () => {
    const t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          security: false,
          egress: FIXTURE_EGRESS,
          scrapeCacheTtlMs: 0,
          logLevel: 'error',
        }),
      ],
    });
    try {
      const before = hits('/plain');
      await scrape(t.client, { url: `${site.url}/plain` });
      await scrape(t.client, { url: `${site.url}/plain` });
      expect(hits('/plain')).toBe(before + 2);
    } finally {
      await t.close();
    }
  });
});

describe('scrape_url cached per caller, with authentication', () => {
  let t: McpTestApp;
  let keys: ReturnType<typeof keysFile>;
  beforeAll(async () => {
    keys = keysFile();
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          egress: FIXTURE_EGRESS,
          security: { resource: RESOURCE, apiKeys: { file: keys.path } },
          scrapeCacheTtlMs: 60_000,
          audit: { sink: 'log' },
          logLevel: 'error',
        }),
      ],
      transport: 'http',
      headers: { 'x-api-key': keys.a },
    });
  });
  afterAll(() => t?.close());

  it('never gives one caller the answer cached for another', async () => {
    const before = hits('/large');
    const a = t.client;
    const mine = (await scrape(a, { url: `${site.url}/large` })).structuredContent as Offloaded;
    const again = (await scrape(a, { url: `${site.url}/large` })).structuredContent as Offloaded;
    expect(again).toEqual(mine);
    expect(hits('/large')).toBe(before + 1);
    // The attack: svc-b asks for the very same page, hoping to be served svc-a's cached answer,
    // whose resource link is bound to svc-a. It gets a fetch and a link of its own instead.
    const b = await t.connect({ 'x-api-key': keys.b });
    const theirs = (await scrape(b, { url: `${site.url}/large` })).structuredContent as Offloaded;
    expect(hits('/large')).toBe(before + 2);
    expect(theirs.resource_uri).not.toBe(mine.resource_uri);
    expect((await b.readResource({ uri: theirs.resource_uri })).contents).toHaveLength(1);
    // And svc-a's link stays svc-a's.
    await expect(b.readResource({ uri: mine.resource_uri })).rejects.toMatchObject({
      code: -32602,
    });
  });
});

describeWith('redis')('scrape_url cached in Redis, two replicas', () => {
  let a: McpTestApp;
  let b: McpTestApp;
  const replica = () =>
    AppModule.forRoot({
      redisUrl: REDIS_URL,
      security: false,
      egress: FIXTURE_EGRESS,
      scrapeCacheTtlMs: 60_000,
      logLevel: 'error',
      catalog: false,
    });
  beforeAll(async () => {
    a = await createMcpTestApp({ server: 'web-scrape', imports: [replica()], transport: 'http' });
    b = await createMcpTestApp({
      server: 'web-scrape',
      imports: [replica()],
      transport: 'http',
      adapter: 'fastify',
    });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('answers on one replica a page the other fetched', async () => {
    // A query string of this run: no entry of an earlier run can answer it.
    const url = `${site.url}/plain?run=${Date.now()}-${Math.random()}`;
    const before = hits('/plain');
    const first = await scrape(a.client, { url });
    expect(await scrape(b.client, { url })).toEqual(first);
    expect(hits('/plain')).toBe(before + 1);
    expect(b.module.get(ResultCache).stats()).toMatchObject({ hits: 1, redisDown: false });
  });
});
