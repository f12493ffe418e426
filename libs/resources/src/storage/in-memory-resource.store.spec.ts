import { isResourceTooLargeError } from '../errors/resource-too-large.error';
import { isResourcesDefinitionError } from '../errors/resources-definition.error';
import { InMemoryResourceStore } from './in-memory-resource.store';
import type { ResourceInput } from './resource.store';

const alice = { subject: 'alice', tenant: 'acme' };
const input = (content: string | Uint8Array, ttlMs = 60_000): ResourceInput => ({
  content,
  mimeType: 'text/plain',
  owner: alice,
  ttlMs,
});

describe('InMemoryResourceStore', () => {
  let store: InMemoryResourceStore;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z') });
    store = new InMemoryResourceStore({ maxBytes: 100, maxEntryBytes: 40 });
  });
  afterEach(() => {
    store.onModuleDestroy();
    jest.useRealTimers();
  });

  it('keeps text and bytes with their owner, size and expiry under a random id', async () => {
    const put = await store.put({ ...input('héllo'), name: 'greeting' });
    expect(put).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      sizeBytes: 6,
      expiresAt: Date.now() + 60_000,
      evicted: 0,
      usagePercent: 6,
    });
    expect(await store.get(put.id)).toEqual({
      id: put.id,
      content: 'héllo',
      mimeType: 'text/plain',
      owner: alice,
      sizeBytes: 6,
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      name: 'greeting',
    });
    const bytes = await store.put({ ...input(new Uint8Array([1, 2, 3])), owner: null });
    const stored = await store.get(bytes.id);
    expect(Buffer.isBuffer(stored!.content)).toBe(true);
    expect([...(stored!.content as Buffer)]).toEqual([1, 2, 3]);
    expect(stored!.owner).toBeNull();
  });

  it('forgets an entry at its expiry, and counts its bytes no more', async () => {
    const { id } = await store.put(input('x'.repeat(30), 1_000));
    jest.advanceTimersByTime(999);
    expect(await store.get(id)).toBeDefined();
    jest.advanceTimersByTime(1);
    expect(await store.get(id)).toBeUndefined();
    expect(await store.usage()).toEqual({ entries: 0, bytes: 0, maxBytes: 100, usagePercent: 0 });
  });

  it('refuses an entry larger than maxEntryBytes, naming both sizes, and keeps nothing', async () => {
    const error = await store.put(input('x'.repeat(41))).catch((e: unknown) => e);
    expect(isResourceTooLargeError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'RESOURCE_TOO_LARGE',
      retryable: false,
      details: { sizeBytes: 41, maxEntryBytes: 40 },
    });
    expect((error as Error).message).toContain('41 bytes');
    expect((await store.usage()).entries).toBe(0);
  });

  it('evicts the least recently used entries, by bytes, until a new one fits', async () => {
    const a = await store.put(input('a'.repeat(30)));
    const b = await store.put(input('b'.repeat(30)));
    const c = await store.put(input('c'.repeat(30)));
    expect((await store.usage()).bytes).toBe(90);
    await store.get(a.id); // a is now the most recently used: b goes first
    const d = await store.put(input('d'.repeat(40)));
    expect(d.evicted).toBe(1); // 90 + 40 > 100: b (30) leaves, and 60 + 40 fits
    expect(d.usagePercent).toBe(100);
    expect(await store.get(b.id)).toBeUndefined();
    // Recency now: c, a, d (the reads below keep that order).
    const e = await store.put(input('e'.repeat(35)));
    expect(e.evicted).toBe(2); // c (30) is not enough for 35 more: a (30) leaves too
    expect(await store.get(c.id)).toBeUndefined();
    expect(await store.get(a.id)).toBeUndefined();
    expect(await store.get(d.id)).toBeDefined();
    expect(await store.usage()).toEqual({
      entries: 2,
      bytes: 75,
      maxBytes: 100,
      usagePercent: 75,
    });
  });

  it('evicts one large entry for several small ones, and no more than needed', async () => {
    const big = await store.put(input('x'.repeat(40)));
    const small = [];
    for (let i = 0; i < 6; i++) small.push(await store.put(input(String(i).repeat(10))));
    // 40 + 60 = 100: full, nothing evicted yet.
    expect(small.every((s) => s.evicted === 0)).toBe(true);
    const next = await store.put(input('n'.repeat(35)));
    expect(next.evicted).toBe(1); // only the big one, the least recently used, leaves
    expect(await store.get(big.id)).toBeUndefined();
    for (const s of small) expect(await store.get(s.id)).toBeDefined();
    expect((await store.usage()).bytes).toBe(95);
  });

  it('drops expired entries before evicting a live one', async () => {
    const live = await store.put(input('l'.repeat(30), 60_000));
    await store.put(input('e'.repeat(30), 1_000));
    await store.put(input('f'.repeat(30), 1_000));
    jest.advanceTimersByTime(1_000);
    const next = await store.put(input('n'.repeat(40)));
    expect(next.evicted).toBe(0);
    expect(await store.get(live.id)).toBeDefined();
  });

  it('deletes an entry and its bytes; a second delete finds nothing', async () => {
    const { id } = await store.put(input('x'.repeat(10)));
    expect(await store.delete(id)).toBe(true);
    expect(await store.delete(id)).toBe(false);
    expect(await store.get(id)).toBeUndefined();
    expect((await store.usage()).bytes).toBe(0);
  });

  it("deletes a tenant's entries (or one subject's) and never another tenant's or an anonymous one", async () => {
    const bob = { subject: 'bob', tenant: 'acme' };
    const mallory = { subject: 'alice', tenant: 'globex' }; // alice's name, another tenant
    const loner = { subject: 'alice' }; // alice's name, no tenant
    const put = (owner: ResourceInput['owner']) =>
      store.put({ ...input('x'.repeat(10)), owner }).then((p) => p.id);
    const [a1, a2, b1, m1, l1, anon] = await Promise.all(
      [alice, alice, bob, mallory, loner, null].map(put),
    );
    // One subject of the tenant: bob's entry stays.
    expect(await store.deleteOwned({ tenant: 'acme', subject: 'alice' })).toBe(2);
    expect(await store.get(a1)).toBeUndefined();
    expect(await store.get(a2)).toBeUndefined();
    expect(await store.get(b1)).toBeDefined();
    // The whole tenant: bob's goes too; the same subject in another tenant, or in none, stays.
    expect(await store.deleteOwned({ tenant: 'acme' })).toBe(1);
    for (const id of [m1, l1, anon]) expect(await store.get(id)).toBeDefined();
    expect(await store.usage()).toMatchObject({ entries: 3, bytes: 30 });
    // Owners without a tenant are a tenant of their own ('' is no tenant); anonymous never matches.
    expect(await store.deleteOwned({ tenant: '' })).toBe(1);
    expect(await store.get(l1)).toBeUndefined();
    expect(await store.get(m1)).toBeDefined();
    expect(await store.get(anon)).toBeDefined();
    expect(await store.deleteOwned({ tenant: 'acme' })).toBe(0);
  });

  it('counts only live entries when deleting owned ones, and refuses a filter without a tenant', async () => {
    await store.put(input('x', 1_000));
    await store.put(input('y', 60_000));
    jest.advanceTimersByTime(2_000);
    expect(await store.deleteOwned({ tenant: 'acme' })).toBe(1);
    expect(await store.usage()).toMatchObject({ entries: 0, bytes: 0 });
    // A filter that forgets the tenant, or mistypes it, deletes nothing: it is refused.
    await store.put(input('z'));
    for (const bad of [{}, { subject: 'alice' }, { tenant: 42 }, { tenant: 'acme', subject: '' }])
      await expect(store.deleteOwned(bad as never)).rejects.toThrow(TypeError);
    expect((await store.usage()).entries).toBe(1);
  });

  it('sweeps expired entries with one unref()ed timer, started on init and cleared on shutdown', async () => {
    const setInterval = jest.spyOn(global, 'setInterval');
    const swept = new InMemoryResourceStore({ sweepIntervalMs: 5_000 });
    try {
      for (let i = 0; i < 20; i++) await swept.put(input(`entry ${i}`, 1_000));
      expect(setInterval).not.toHaveBeenCalled(); // no timer per entry
      expect(jest.getTimerCount()).toBe(0);
      swept.onModuleInit();
      expect(setInterval).toHaveBeenCalledTimes(1);
      const timer = setInterval.mock.results[0].value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      jest.advanceTimersByTime(5_000);
      // Swept without a read: the count is right before anyone asks.
      expect((swept as unknown as { entries: Map<string, unknown> }).entries.size).toBe(0);
      swept.onModuleDestroy();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      setInterval.mockRestore();
      swept.onModuleDestroy();
    }
  });

  it('refuses caps that cannot work with a ResourcesDefinitionError', () => {
    for (const options of [
      { maxBytes: 0 },
      { maxBytes: 1.5 },
      { maxEntryBytes: -1 },
      { maxBytes: 10, maxEntryBytes: 11 },
    ]) {
      const error = (() => {
        try {
          new InMemoryResourceStore(options);
        } catch (e) {
          return e;
        }
      })();
      expect(isResourcesDefinitionError(error)).toBe(true);
    }
    expect(new InMemoryResourceStore({ maxBytes: 1_000 }).maxEntryBytes).toBe(1_000);
  });

  it('refuses a TTL that is not a positive integer', async () => {
    await expect(store.put(input('x', 0))).rejects.toThrow(/ttlMs/);
  });
});
