import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisIdempotencyStorage } from './redis-idempotency.storage';
import { describeWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeWith('redis')('RedisIdempotencyStorage (real Redis)', () => {
  let client: Redis;
  let storage: RedisIdempotencyStorage;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { enableOfflineQueue: false });
    await new Promise((resolve) => client.once('ready', resolve));
    storage = new RedisIdempotencyStorage(client, prefix);
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('releases a pending claim, so that the key can be used again', async () => {
    expect(await storage.claim('k1', 'fp', 10_000)).toEqual({ status: 'claimed' });
    await storage.release('k1');
    expect(await storage.claim('k1', 'fp', 10_000)).toEqual({ status: 'claimed' });
  });

  it('does not release a result that another call stored after taking the key over', async () => {
    // Call A claimed, ran past its pending time; call B took the key over and completed.
    expect(await storage.claim('k2', 'fp', 10_000)).toEqual({ status: 'claimed' });
    await storage.complete('k2', 'fp', { charged: 1 }, 10_000);
    // A fails now and releases its claim: B's result stays.
    await storage.release('k2');
    expect(await storage.claim('k2', 'fp', 10_000)).toEqual({
      status: 'done',
      fingerprint: 'fp',
      result: { charged: 1 },
    });
  });
});
