import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { Client } from '@modelcontextprotocol/client';
import { Args, McpModule, RampartChannel, Tool, type CacheEvent } from '@rampart/core';
import {
  Cacheable,
  ResultCache,
  ResultCacheModule,
  isCacheDefinitionError,
} from '@rampart/resources';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { Arrivals, CacheFixtureModule, ItemInput, closeGate, gate, runs } from './cache.fixture';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const headers = (subject: string, tenant = 'acme') => ({ 'x-user': subject, 'x-tenant': tenant });

/** The structured answer of a tool call (the fixture's tools answer JSON text). */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const [block] = result.content as { type: string; text: string }[];
  if (result.isError) return { error: JSON.parse(block.text) as Record<string, unknown> };
  return JSON.parse(block.text) as Record<string, unknown>;
}

/** Polls `check` until it holds; fails after `timeoutMs` (generous: a busy 2-core box). */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port on 127.0.0.1 on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function dropKeys(prefix: string) {
  const client = new Redis(REDIS_URL);
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
}

beforeEach(() => runs.clear());

describe('result cache in memory', () => {
  let app: McpTestApp;
  let alice: Client;

  beforeAll(async () => {
    app = await createMcpTestApp({
      imports: [CacheFixtureModule.forRoot()],
      transport: 'http',
    });
    alice = await app.connect(headers('alice'));
  });
  afterAll(() => app?.close());

  it('runs the method on a miss and serves the same arguments from the cache after', async () => {
    const events: CacheEvent[] = [];
    const listener = (e: unknown) => events.push(e as CacheEvent);
    subscribe(RampartChannel.cache, listener);
    try {
      expect(await call(alice, 'get_item', { id: 'a' })).toMatchObject({ id: 'a', run: 1 });
      expect(await call(alice, 'get_item', { id: 'a' })).toMatchObject({ id: 'a', run: 1 });
      // Other arguments are another entry; the same arguments in another key order are not.
      expect(await call(alice, 'get_item', { id: 'a', page: 2 })).toMatchObject({ run: 2 });
      expect(await call(alice, 'get_item', { page: 2, id: 'a' })).toMatchObject({ run: 2 });
    } finally {
      unsubscribe(RampartChannel.cache, listener);
    }
    expect(runs.get('get_item')).toBe(2);
    expect(events.map((e) => `${e.name}:${e.hit ? 'hit' : 'miss'}`)).toEqual([
      'get_item:miss',
      'get_item:hit',
      'get_item:miss',
      'get_item:hit',
    ]);
  });

  it('runs the method again once the entry has expired', async () => {
    expect(await call(alice, 'brief_item', { id: 'x' })).toMatchObject({ run: 1 });
    expect(await call(alice, 'brief_item', { id: 'x' })).toMatchObject({ run: 1 });
    // ttlMs is 150: poll until the entry has gone (no timing assumption on a busy box).
    await until(async () => (await call(alice, 'brief_item', { id: 'x' })).run === 2);
    expect(runs.get('brief_item')).toBe(2);
  });

  it('runs the method once for a stampede of 50 identical calls', async () => {
    closeGate();
    const calls = Array.from({ length: 50 }, () => call(alice, 'slow_item', { id: 's' }));
    // Every call has reached the server while the first computation is still held.
    await until(() => Arrivals.inFlight === 50);
    gate.open!();
    const answers = await Promise.all(calls);
    expect(runs.get('slow_item')).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify({ id: 's', run: 1 })]),
    );
  });

  it('keeps no failure: a failing method runs again on the next call', async () => {
    expect((await call(alice, 'failing_item', { id: 'f' })).error).toBeDefined();
    expect((await call(alice, 'failing_item', { id: 'f' })).error).toBeDefined();
    expect(runs.get('failing_item')).toBe(2);
  });

  it('evicts one entry, or every entry of a tool, after a mutating call', async () => {
    expect(await call(alice, 'get_item', { id: 'e' })).toMatchObject({ value: null, run: 1 });
    expect(await call(alice, 'get_item', { id: 'f' })).toMatchObject({ value: null, run: 2 });
    await call(alice, 'update_item', { id: 'e', page: 7 });
    // The updated item is read again; the other entry stays.
    expect(await call(alice, 'get_item', { id: 'e' })).toMatchObject({ value: 'v7', run: 3 });
    expect(await call(alice, 'get_item', { id: 'f' })).toMatchObject({ run: 2 });
    await call(alice, 'reset_items', {});
    expect(await call(alice, 'get_item', { id: 'e' })).toMatchObject({ value: null, run: 4 });
    expect(await call(alice, 'get_item', { id: 'f' })).toMatchObject({ run: 5 });
  });

  it('gives a cached resource read the 2026-07-28 ttlMs and cacheScope', async () => {
    const first = await alice.readResource({ uri: 'item://r1' });
    const second = await alice.readResource({ uri: 'item://r1' });
    expect(first.contents).toEqual([
      { uri: 'item://r1', mimeType: 'text/plain', text: 'item r1, run 1' },
    ]);
    expect(second.contents).toEqual(first.contents);
    expect(runs.get('item_resource')).toBe(1);
    for (const result of [first, second]) {
      expect(result.cacheScope).toBe('public');
      expect(result.ttlMs).toBeGreaterThan(0);
      expect(result.ttlMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('never serves a private entry to another identity', async () => {
    // Alice's answer is cached for her.
    expect(await call(alice, 'my_balance', { id: 'acct-1' })).toEqual({
      account: 'acct-1',
      owner: 'alice@acme',
      run: 1,
    });
    expect(await call(alice, 'my_balance', { id: 'acct-1' })).toMatchObject({ run: 1 });
    // The attack: Bob calls the same tool with the same arguments, hoping for Alice's cached
    // answer; and someone with Alice's subject in another tenant tries the same.
    const bob = await app.connect(headers('bob'));
    const otherAlice = await app.connect(headers('alice', 'globex'));
    expect(await call(bob, 'my_balance', { id: 'acct-1' })).toEqual({
      account: 'acct-1',
      owner: 'bob@acme',
      run: 2,
    });
    expect(await call(otherAlice, 'my_balance', { id: 'acct-1' })).toEqual({
      account: 'acct-1',
      owner: 'alice@globex',
      run: 3,
    });
    // A caller without an identity is not cached at all (there is nobody to keep it for).
    const anonymous = await app.connect();
    expect(await call(anonymous, 'my_balance', { id: 'acct-1' })).toMatchObject({
      owner: 'nobody@-',
      run: 4,
    });
    expect(await call(anonymous, 'my_balance', { id: 'acct-1' })).toMatchObject({ run: 5 });
    expect(await call(alice, 'my_balance', { id: 'acct-1' })).toMatchObject({
      owner: 'alice@acme',
      run: 1,
    });
  });
});

describe('result cache turned off', () => {
  it('runs the method on every call', async () => {
    const app = await createMcpTestApp({
      imports: [CacheFixtureModule.forRoot({ enabled: false })],
    });
    try {
      await call(app.client, 'get_item', { id: 'off' });
      await call(app.client, 'get_item', { id: 'off' });
      expect(runs.get('get_item')).toBe(2);
    } finally {
      await app.close();
    }
  });
});

describe('caching a tool that is not read-only', () => {
  @Injectable()
  class Writer {
    @Tool({ name: 'append_line' })
    @Cacheable({ ttlMs: 1_000, scope: 'public' })
    append(@Args() { id }: ItemInput) {
      return id;
    }
  }
  @Injectable()
  class AllowedWriter {
    @Tool({ name: 'append_line' })
    @Cacheable({ ttlMs: 1_000, scope: 'public', allowNonReadOnly: true })
    append(@Args() { id }: ItemInput) {
      return id;
    }
  }
  const boot = async (provider: new () => unknown) => {
    @Module({
      imports: [
        McpModule.forRoot({ name: 'writer', version: '1.0.0' }),
        ResultCacheModule.forRoot(),
      ],
      providers: [provider],
    })
    class WriterModule {}
    const moduleRef = await Test.createTestingModule({ imports: [WriterModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('is refused when the app boots, with the reason and the way out', async () => {
    const error = await boot(Writer).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCacheDefinitionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      '@Cacheable() on Writer.append: the tool "append_line" is not annotated readOnlyHint: true, so a cached answer could skip a change it makes. Annotate it read-only, or say @Cacheable({ allowNonReadOnly: true }) if serving it from the cache is safe.',
    );
  });

  it('is accepted when the decorator says allowNonReadOnly', async () => {
    await expect(boot(AllowedWriter)).resolves.toBeUndefined();
  });

  it('refuses bad decorator options when the class is defined', () => {
    expect(() => {
      class Bad {
        @Cacheable({ ttlMs: -5 })
        m() {}
      }
      return Bad;
    }).toThrow(
      'Invalid @Cacheable() on Bad.m: ttlMs must be a positive integer of milliseconds, got -5',
    );
  });
});

describeWith('redis')('result cache shared by two replicas through Redis', () => {
  const keyPrefix = `test:cache-e2e:${randomUUID()}:`;
  // Generous: a command that a busy machine delays past the bound would turn Redis off for a while.
  const replica = { redis: REDIS_URL, keyPrefix, commandTimeoutMs: 5_000 };
  let a: McpTestApp;
  let b: McpTestApp;
  let onA: Client;
  let onB: Client;

  beforeAll(async () => {
    a = await createMcpTestApp({
      imports: [CacheFixtureModule.forRoot(replica)],
      transport: 'http',
      adapter: 'express',
    });
    b = await createMcpTestApp({
      imports: [CacheFixtureModule.forRoot(replica)],
      transport: 'http',
      adapter: 'fastify',
      era: 'legacy',
    });
    await Promise.all([a.module.get(ResultCache).ready(), b.module.get(ResultCache).ready()]);
    onA = await a.connect(headers('alice'));
    onB = await b.connect(headers('alice'));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await dropKeys(keyPrefix);
  });

  it('serves on one replica what the other computed', async () => {
    expect(await call(onA, 'get_item', { id: 'shared' })).toMatchObject({ run: 1 });
    expect(await call(onB, 'get_item', { id: 'shared' })).toMatchObject({ run: 1 });
    expect(runs.get('get_item')).toBe(1);
  });

  it('drops the other replica’s memory copy when one replica evicts', async () => {
    // Both replicas hold the entry in memory.
    expect(await call(onA, 'get_item', { id: 'inv' })).toMatchObject({ value: null, run: 1 });
    expect(await call(onB, 'get_item', { id: 'inv' })).toMatchObject({ value: null, run: 1 });
    expect(await call(onB, 'get_item', { id: 'inv' })).toMatchObject({ run: 1 });
    await call(onA, 'update_item', { id: 'inv', page: 3 });
    // B hears of it on pub/sub and reads the new value (computed once, by whichever asks first).
    await until(async () => (await call(onB, 'get_item', { id: 'inv' })).value === 'v3');
    expect(await call(onA, 'get_item', { id: 'inv' })).toMatchObject({ value: 'v3', run: 2 });
    expect(runs.get('get_item')).toBe(2);
  });

  it('evicts every entry of a tool on every replica', async () => {
    expect(await call(onA, 'get_item', { id: 'all-1' })).toMatchObject({ run: 1 });
    expect(await call(onB, 'get_item', { id: 'all-1' })).toMatchObject({ run: 1 });
    await call(onB, 'reset_items', {});
    await until(async () => (await call(onA, 'get_item', { id: 'all-1' })).run === 2);
    expect(await call(onB, 'get_item', { id: 'all-1' })).toMatchObject({ run: 2 });
  });

  it('keeps the entries in Redis under the prefix, with their time to live', async () => {
    await call(onA, 'get_item', { id: 'ttl' });
    const client = new Redis(REDIS_URL);
    try {
      const keys = (await client.keys(`${keyPrefix}*`)).filter((k) => !k.includes(':gen:'));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
    } finally {
      await client.quit();
    }
  });
});

describeWith('redis')('result cache state per name, with Redis', () => {
  /** What a cache remembers per name: generations of names evicted, names Redis said were not. */
  const perName = (cache: ResultCache) =>
    cache as unknown as { generations: Map<string, number>; unevicted: Set<string> };

  it("remembers at most maxEntries names it only read, and still sees other replicas' evictions", async () => {
    // The attack: reads of resources under ever new URIs (a cached template, or unknown URIs
    // that fail): the name of a resource's entry is its URI, and one generation per URI read
    // was kept for the life of the process.
    const keyPrefix = `test:cache-names:${randomUUID()}:`;
    const options = { redis: REDIS_URL, keyPrefix, commandTimeoutMs: 5_000, maxEntries: 50 };
    const a = new ResultCache(options);
    const b = new ResultCache(options);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const key = (uri: string) => ({
        server: 's',
        name: uri,
        scope: 'public' as const,
        args: null,
      });
      for (let i = 0; i < 500; i++)
        await a.getOrCompute(key(`page://${i}`), 60_000, () => Promise.resolve(`v${i}`));
      expect(perName(a).generations.size).toBe(0);
      expect(perName(a).unevicted.size).toBe(50);

      // One name a remembers as never evicted, one it has forgotten: both evicted on b.
      await b.evict({ server: 's', name: 'page://499' });
      await b.evict({ server: 's', name: 'page://0' });
      await until(async () => {
        const recent = await a.getOrCompute(key('page://499'), 60_000, () =>
          Promise.resolve('new'),
        );
        return recent.value === 'new';
      });
      const forgotten = await a.getOrCompute(key('page://0'), 60_000, () => Promise.resolve('new'));
      expect(forgotten).toMatchObject({ value: 'new', hit: false });
      expect(perName(a).generations.size).toBe(2);
    } finally {
      await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
      await dropKeys(keyPrefix);
    }
  });
});

describe('result cache without Redis', () => {
  it('remembers nothing per name it only read', async () => {
    const cache = new ResultCache({ maxEntries: 50 });
    const key = (uri: string) => ({ server: 's', name: uri, scope: 'public' as const, args: null });
    for (let i = 0; i < 500; i++)
      await cache.getOrCompute(key(`page://${i}`), 60_000, () => Promise.resolve(i));
    const state = cache as unknown as { generations: Map<string, number>; unevicted: Set<string> };
    expect(state.generations.size).toBe(0);
    expect(state.unevicted.size).toBe(0);
    await cache.evict({ server: 's', name: 'page://499' });
    expect(
      (await cache.getOrCompute(key('page://499'), 60_000, () => Promise.resolve('new'))).value,
    ).toBe('new');
    expect(state.generations.size).toBe(1);
    await cache.onApplicationShutdown();
  });
});

describe('result cache with Redis down', () => {
  it('answers from memory and the method, without failing a call, and counts the outage once', async () => {
    const port = await closedPort();
    const app = await createMcpTestApp({
      imports: [
        CacheFixtureModule.forRoot({ redis: `redis://127.0.0.1:${port}`, retryAfterMs: 60_000 }),
      ],
      transport: 'http',
    });
    try {
      const client = await app.connect(headers('alice'));
      expect(await call(client, 'get_item', { id: 'down' })).toMatchObject({ run: 1 });
      expect(await call(client, 'get_item', { id: 'down' })).toMatchObject({ run: 1 });
      expect(await call(client, 'get_item', { id: 'other' })).toMatchObject({ run: 2 });
      await call(client, 'update_item', { id: 'down', page: 1 });
      expect(await call(client, 'get_item', { id: 'down' })).toMatchObject({ value: 'v1', run: 3 });
      const stats = app.module.get(ResultCache).stats();
      expect(stats).toMatchObject({ redisDown: true, redisOutages: 1, hits: 1 });
    } finally {
      await app.close();
    }
  });
});
