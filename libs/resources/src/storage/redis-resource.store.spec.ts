import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { describeWith } from '../../../../test/services';
import { isResourceStoreUnavailableError } from '../errors/resource-store-unavailable.error';
import { isResourceTooLargeError } from '../errors/resource-too-large.error';
import { RedisResourceStore } from './redis-resource.store';
import type { ResourceInput } from './resource.store';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const alice = { subject: 'alice', tenant: 'acme' };
const input = (content: string | Uint8Array, ttlMs = 60_000): ResourceInput => ({
  content,
  mimeType: 'text/plain',
  owner: alice,
  ttlMs,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWith('redis')('RedisResourceStore (real Redis)', () => {
  const root = `test:resources:${randomUUID()}:`;
  let client: Redis;
  let n = 0;
  /** A fresh prefix per test: tests do not see each other's entries. */
  let prefix: string;
  const stores: RedisResourceStore[] = [];
  const storeOn = (redis: string | Redis, limits = { maxBytes: 100, maxEntryBytes: 40 }) => {
    const store = new RedisResourceStore(redis, { keyPrefix: prefix, ...limits });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await client.ping();
  });
  beforeEach(() => {
    prefix = `${root}${++n}:`;
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    const keys = await client.keys(`${root}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  /** The byte counter agrees with the sizes index and the entries that exist. */
  async function assertConsistent(): Promise<{ entries: number; bytes: number }> {
    const sizes = await client.hgetall(`${prefix}sizes`);
    const ids = Object.keys(sizes);
    const sum = Object.values(sizes).reduce((s, v) => s + Number(v), 0);
    expect(Number((await client.get(`${prefix}bytes`)) ?? 0)).toBe(sum);
    expect((await client.zrange(`${prefix}lru`, 0, -1)).sort()).toEqual([...ids].sort());
    expect((await client.zrange(`${prefix}exp`, 0, -1)).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await client.exists(`${prefix}r:${id}`)).toBe(1);
    // Every owned entry is in its tenant's index, and the indexes hold nothing else.
    const owners = await client.hgetall(`${prefix}owners`);
    for (const [id, index] of Object.entries(owners)) {
      expect(ids).toContain(id);
      expect(await client.hexists(`${prefix}t${index}`, id)).toBe(1);
    }
    const indexed = [...(await client.keys(`${prefix}t:*`)), ...(await client.keys(`${prefix}t-`))];
    for (const key of indexed)
      for (const id of await client.hkeys(key))
        expect(owners[id]).toBe(key.slice(prefix.length + 1));
    return { entries: ids.length, bytes: sum };
  }

  it('keeps text and bytes with owner, size and an expiry set in Redis (PEXPIREAT)', async () => {
    const store = storeOn(REDIS_URL);
    const before = Date.now();
    const put = await store.put({ ...input('héllo'), name: 'greeting' });
    expect(put).toMatchObject({ sizeBytes: 6, evicted: 0, usagePercent: 6 });
    expect(put.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Redis's clock, not ours: the same second or so.
    expect(Math.abs(put.expiresAt - (before + 60_000))).toBeLessThan(2_000);
    const pttl = await client.pttl(`${prefix}r:${put.id}`);
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(await store.get(put.id)).toEqual({
      id: put.id,
      content: 'héllo',
      mimeType: 'text/plain',
      owner: alice,
      sizeBytes: 6,
      createdAt: expect.any(Number),
      expiresAt: put.expiresAt,
      name: 'greeting',
    });
    const blob = await store.put({
      ...input(new Uint8Array([0, 255, 1])),
      mimeType: 'image/png',
      owner: null,
    });
    const stored = await store.get(blob.id);
    expect([...(stored!.content as Buffer)]).toEqual([0, 255, 1]);
    expect(stored).toMatchObject({ owner: null, sizeBytes: 3, mimeType: 'image/png' });
    await assertConsistent();
  });

  it('forgets an entry at its TTL and uncounts its bytes, though Redis dropped it by itself', async () => {
    const store = storeOn(client);
    const { id } = await store.put(input('x'.repeat(30), 300));
    expect(await store.get(id)).toBeDefined();
    await sleep(400);
    expect(await client.exists(`${prefix}r:${id}`)).toBe(0);
    expect(await store.usage()).toEqual({ entries: 0, bytes: 0, maxBytes: 100, usagePercent: 0 });
    expect(await store.get(id)).toBeUndefined();
    await assertConsistent();
  });

  it('refuses an entry larger than maxEntryBytes before sending it', async () => {
    const store = storeOn(client);
    const error = await store.put(input('x'.repeat(41))).catch((e: unknown) => e);
    expect(isResourceTooLargeError(error)).toBe(true);
    expect(await client.exists(`${prefix}bytes`)).toBe(0);
  });

  it('evicts the least recently used entries by bytes, whichever replica used them', async () => {
    const a = storeOn(REDIS_URL);
    const b = storeOn(client); // another replica on the same prefix
    const x = await a.put(input('x'.repeat(30)));
    const y = await a.put(input('y'.repeat(30)));
    const z = await b.put(input('z'.repeat(30)));
    expect(await b.get(x.id)).toBeDefined(); // x is the most recently used now: y goes first
    const w = await b.put(input('w'.repeat(40)));
    expect(w.evicted).toBe(1); // 90 + 40 > 100: y (30) leaves, and 60 + 40 fits
    expect(w.usagePercent).toBe(100);
    expect(await a.get(y.id)).toBeUndefined();
    expect(await a.get(x.id)).toBeDefined();
    expect(await a.get(z.id)).toBeDefined();
    const v = await a.put(input('v'.repeat(35)));
    expect(v.evicted).toBe(1); // w is the least recently used now (x and z were read since)
    expect(await b.get(w.id)).toBeUndefined();
    expect(await a.usage()).toEqual({ entries: 3, bytes: 95, maxBytes: 100, usagePercent: 95 });
    await assertConsistent();
  });

  it('keeps the byte cap under a burst of large entries from two replicas at once', async () => {
    const limits = { maxBytes: 100_000, maxEntryBytes: 20_000 };
    const a = storeOn(REDIS_URL, limits);
    const other = new Redis(REDIS_URL);
    const b = storeOn(other, limits);
    try {
      await burst(a, b);
    } finally {
      other.disconnect();
    }
  });

  async function burst(a: RedisResourceStore, b: RedisResourceStore): Promise<void> {
    const puts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).put(input(String.fromCharCode(65 + (i % 26)).repeat(15_000))),
      ),
    );
    // 6 × 15 000 fit in 100 000, 7 do not: every put beyond the sixth evicted exactly one.
    expect(puts.reduce((sum, p) => sum + p.evicted, 0)).toBe(34);
    expect(puts.every((p) => p.usagePercent <= 100)).toBe(true);
    const usage = await a.usage();
    expect(usage).toEqual({ entries: 6, bytes: 90_000, maxBytes: 100_000, usagePercent: 90 });
    expect(await assertConsistent()).toEqual({ entries: 6, bytes: 90_000 });
    const found = await Promise.all(puts.map((p) => b.get(p.id)));
    expect(found.filter(Boolean)).toHaveLength(6);
  }

  it('deletes an entry with its bytes, on any replica', async () => {
    const a = storeOn(REDIS_URL);
    const b = storeOn(client);
    const { id } = await a.put(input('x'.repeat(10)));
    expect(await b.delete(id)).toBe(true);
    expect(await a.delete(id)).toBe(false);
    expect(await a.get(id)).toBeUndefined();
    expect((await b.usage()).bytes).toBe(0);
    await assertConsistent();
  });

  it("deletes a tenant's entries (or one subject's) on any replica, and never another tenant's", async () => {
    const a = storeOn(REDIS_URL, { maxBytes: 10_000, maxEntryBytes: 100 });
    const b = storeOn(client, { maxBytes: 10_000, maxEntryBytes: 100 });
    const bob = { subject: 'bob', tenant: 'acme' };
    const mallory = { subject: 'alice', tenant: 'globex' }; // alice's name, another tenant
    const loner = { subject: 'alice' }; // alice's name, no tenant
    const tricky = { subject: 'alice', tenant: 'acme:x' }; // a tenant whose name extends acme's
    const put = (owner: ResourceInput['owner']) =>
      a.put({ ...input('x'.repeat(10)), owner }).then((p) => p.id);
    const [a1, a2, b1, m1, l1, t1, anon] = await Promise.all(
      [alice, alice, bob, mallory, loner, tricky, null].map(put),
    );
    expect(await b.deleteOwned({ tenant: 'acme', subject: 'alice' })).toBe(2);
    expect(await a.get(a1)).toBeUndefined();
    expect(await a.get(a2)).toBeUndefined();
    expect(await a.get(b1)).toBeDefined();
    expect(await b.deleteOwned({ tenant: 'acme' })).toBe(1);
    for (const id of [m1, l1, t1, anon]) expect(await a.get(id)).toBeDefined();
    expect(await a.usage()).toMatchObject({ entries: 4, bytes: 40 });
    await assertConsistent();
    expect(await a.deleteOwned({ tenant: undefined })).toBe(1);
    expect(await a.get(l1)).toBeUndefined();
    for (const id of [m1, t1, anon]) expect(await a.get(id)).toBeDefined();
    expect(await a.deleteOwned({ tenant: 'acme' })).toBe(0);
    await assertConsistent();
  });

  it("deletes a large tenant page by page, while another tenant's writes go on and survive", async () => {
    const limits = { maxBytes: 1_000_000, maxEntryBytes: 100 };
    const a = storeOn(REDIS_URL, limits);
    const other = new Redis(REDIS_URL);
    const b = storeOn(other, limits);
    try {
      const mine = await Promise.all(
        Array.from({ length: 1_200 }, () => a.put(input('m'.repeat(10)))),
      );
      // globex stores while acme's entries are deleted, from another replica.
      const [deleted, theirs] = await Promise.all([
        a.deleteOwned({ tenant: 'acme' }),
        Promise.all(
          Array.from({ length: 300 }, () =>
            b.put({ ...input('g'.repeat(10)), owner: { subject: 'gus', tenant: 'globex' } }),
          ),
        ),
      ]);
      expect(deleted).toBe(1_200);
      for (const p of mine.slice(0, 20)) expect(await b.get(p.id)).toBeUndefined();
      expect(await a.usage()).toMatchObject({ entries: 300, bytes: 3_000 });
      for (const p of theirs) expect(await a.get(p.id)).toBeDefined();
      await assertConsistent();
    } finally {
      other.disconnect();
    }
  });

  it('keeps the owner index when entries expire, are evicted or deleted one by one', async () => {
    const store = storeOn(client);
    const gone = await store.put(input('x'.repeat(30), 300));
    const kept = await store.put(input('y'.repeat(30)));
    const deleted = await store.put(input('z'.repeat(30)));
    expect(await store.delete(deleted.id)).toBe(true);
    await sleep(400);
    const evictor = await store.put(input('w'.repeat(40))); // 30 + 40 fit; expired x reclaimed
    expect(evictor.evicted).toBe(0);
    await store.put({ ...input('v'.repeat(40)), owner: null }); // 110 > 100: evicts y
    expect(await store.get(kept.id)).toBeUndefined();
    expect(await store.get(gone.id)).toBeUndefined();
    expect(await client.hkeys(`${prefix}t:acme`)).toEqual([evictor.id]);
    expect(await store.deleteOwned({ tenant: 'acme' })).toBe(1);
    await assertConsistent();
  });

  it('refuses to read a record it did not write, naming the id', async () => {
    const store = storeOn(client);
    const { id } = await store.put(input('x'));
    await client.hset(`${prefix}r:${id}`, 'm', 'not json');
    await expect(store.get(id)).rejects.toThrow(id);
  });

  it('rejects with ResourceStoreUnavailableError while Redis does not answer', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const store = new RedisResourceStore('redis://127.0.0.1:1', { commandTimeoutMs: 300 });
    try {
      const error = await store.usage().catch((e: unknown) => e);
      expect(isResourceStoreUnavailableError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'RESOURCE_STORE_UNAVAILABLE', retryable: true });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis unavailable for resources'));
    } finally {
      await store.close();
      warn.mockRestore();
    }
  });

  it('does not load ioredis when the package is imported (memory storage needs none)', () => {
    const lib = resolve(__dirname, '../../dist/index.js');
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(lib)}); console.log(Object.keys(require.cache).some((f) => f.includes('/node_modules/ioredis/')))`,
    ]).toString();
    expect(loaded.trim()).toBe('false');
  });
});
