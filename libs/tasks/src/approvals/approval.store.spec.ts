import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisClientLike } from '@rampart/core';
import type { ApprovalRecord } from './approval.interfaces';
import type { ApprovalStore } from './approval.store';
import { InMemoryApprovalStore } from './in-memory-approval.store';
import { RedisApprovalStore } from './redis-approval.store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisMissing = (process.env.RAMPART_TEST_MISSING ?? '').split(',').includes('redis');

const record = (id: string, expiresAt: number): ApprovalRecord => ({
  approvalId: id,
  server: 'web',
  tool: 'purge_pages',
  argumentsHash: 'h',
  caller: { subject: 'alice', tenant: 't1' },
  taskId: `task-${id}`,
  approvers: 'pages:approve',
  createdAt: Date.now(),
  expiresAt,
  kid: 'k',
  signature: `sig-${id}`,
  status: 'pending',
});

const redis = redisMissing ? undefined : new Redis(REDIS_URL);
const prefix = `test:${randomUUID()}:`;

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const stores: [string, () => ApprovalStore][] = [
  ['memory', () => new InMemoryApprovalStore()],
  ...(redis
    ? [
        [
          'redis',
          () =>
            new RedisApprovalStore(redis as unknown as RedisClientLike, {
              keyPrefix: `${prefix}${randomUUID()}:`,
            }),
        ] as [string, () => ApprovalStore],
      ]
    : []),
];

describe.each(stores)('%s approval store', (_name, make) => {
  it('changes a status once: of many concurrent approvals of one approval, one wins', async () => {
    const store = make();
    const r = record('a1', Date.now() + 60_000);
    await store.create(r);
    await expect(store.create(r)).rejects.toThrow(/exists/);
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transition('a1', ['pending'], { ...r, status: 'approved', comment: String(i) }),
      ),
    );
    expect(attempts.filter(Boolean)).toHaveLength(1);
    const won = await store.get('a1');
    expect(won?.status).toBe('approved');
    // Claimed for a run once, too.
    const claims = await Promise.all(
      [1, 2, 3].map(() => store.transition('a1', ['approved'], { ...won!, status: 'used' })),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.transition('a1', ['pending'], { ...r, status: 'denied' })).toBe(false);
  });

  it('refuses a transition whose record carries another signature', async () => {
    const store = make();
    const r = record('a2', Date.now() + 60_000);
    await store.create(r);
    expect(
      await store.transition('a2', ['pending'], { ...r, signature: 'other', status: 'approved' }),
    ).toBe(false);
    expect((await store.get('a2'))?.status).toBe('pending');
  });

  it('lists pending approvals and those past their expiry', async () => {
    const store = make();
    const now = Date.now();
    await store.create(record('late', now - 1_000));
    await store.create(record('soon', now + 60_000));
    await store.create(record('done', now + 60_000));
    await store.transition('done', ['pending'], {
      ...record('done', now + 60_000),
      status: 'denied',
    });
    expect((await store.pending(10)).map((r) => r.approvalId)).toEqual(['late', 'soon']);
    expect(await store.expiredPending(now, 10)).toEqual(['late']);
    expect(await store.get('missing')).toBeUndefined();
  });
});
