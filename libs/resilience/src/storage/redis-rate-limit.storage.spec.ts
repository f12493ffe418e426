import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeWith } from '../../../../test/services';
import type { RateLimitRule, RateLimitVerdict } from './rate-limit.storage';
import { RedisRateLimitStorage } from './redis-rate-limit.storage';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeWith('redis')('RedisRateLimitStorage (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  const clients: Redis[] = [];
  /** Commands each client sent for this spec's keys. */
  const sent = new Map<Redis, string[][]>();

  async function connect(): Promise<Redis> {
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false });
    await new Promise((resolve) => client.once('ready', resolve));
    const commands: string[][] = [];
    const send = client.sendCommand.bind(client);
    jest.spyOn(client, 'sendCommand').mockImplementation((command, stream) => {
      const args = command.args.map(String);
      if (args.some((arg) => arg.startsWith(prefix))) commands.push([command.name, ...args]);
      return send(command, stream);
    });
    clients.push(client);
    sent.set(client, commands);
    return client;
  }

  /** `n` calls of one turn on one bucket. */
  const burst = (storage: RedisRateLimitStorage, rule: RateLimitRule, key: string, n: number) =>
    Promise.all(Array.from({ length: n }, () => storage.consume(rule, key)));

  const allowed = (verdicts: RateLimitVerdict[]) => verdicts.filter((v) => v.allowed).length;

  afterAll(async () => {
    const [client] = clients;
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await Promise.all(clients.filter((c) => c.status === 'ready').map((c) => c.quit()));
  });

  it('takes the points of the calls of one turn on one bucket in one command, in arrival order', async () => {
    const client = await connect();
    const storage = new RedisRateLimitStorage(client, prefix, 'fail-closed');
    const rule = { id: 'srv:search:burst', points: 3, perMs: 60_000 };

    const verdicts = await burst(storage, rule, 'id:alice', 10);

    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, ...Array(7).fill(false)]);
    expect(verdicts.slice(0, 3).map((v) => v.remaining)).toEqual([2, 1, 0]);
    for (const refused of verdicts.slice(3)) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(refused.unavailable).toBeUndefined();
    }
    // One command for the ten calls; Redis holds all ten points, as ten commands would have.
    expect(sent.get(client)).toHaveLength(1);
    expect(await client.get(`${prefix}rl:${rule.id}:id:alice`)).toBe('10');
  });

  it('sends calls of later turns a command each, and counts them on from the same bucket', async () => {
    const client = await connect();
    const storage = new RedisRateLimitStorage(client, prefix, 'fail-closed');
    const rule = { id: 'srv:search:turns', points: 2, perMs: 60_000 };

    const first = await storage.consume(rule, 'id:alice');
    const second = await storage.consume(rule, 'id:alice');
    const third = await storage.consume(rule, 'id:alice');

    expect([first, second, third].map((v) => v.allowed)).toEqual([true, true, false]);
    expect([first.remaining, second.remaining]).toEqual([1, 0]);
    expect(sent.get(client)).toHaveLength(3);
  });

  it("never lets one caller's burst take another caller's points: buckets never share a command", async () => {
    const client = await connect();
    const storage = new RedisRateLimitStorage(client, prefix, 'fail-closed');
    const rule = { id: 'srv:search:callers', points: 3, perMs: 60_000 };

    // Mallory fires 50 calls in the same turn as Alice's one.
    const [mallory, alice] = await Promise.all([
      burst(storage, rule, 'id:mallory', 50),
      storage.consume(rule, 'id:alice'),
    ]);

    expect(allowed(mallory)).toBe(3);
    expect(alice).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
    expect(sent.get(client)).toHaveLength(2);
  });

  it('holds a limit shared by two replicas exactly when both batch a burst in the same turn', async () => {
    const a = new RedisRateLimitStorage(await connect(), prefix, 'fail-closed');
    const b = new RedisRateLimitStorage(await connect(), prefix, 'fail-closed');
    const rule = { id: 'srv:search:replicas', points: 12, perMs: 60_000 };

    const [fromA, fromB] = await Promise.all([
      burst(a, rule, 'id:mallory', 10),
      burst(b, rule, 'id:mallory', 10),
    ]);

    expect(allowed(fromA) + allowed(fromB)).toBe(12);
    // Each replica's allowed calls are its first ones.
    for (const verdicts of [fromA, fromB])
      expect(verdicts.map((v) => v.allowed)).toEqual(verdicts.map((_, i) => i < allowed(verdicts)));
  });

  it('blocks the bucket for blockMs from the call past the limit, whichever call of the batch it is', async () => {
    const client = await connect();
    const storage = new RedisRateLimitStorage(client, prefix, 'fail-closed');
    const rule = { id: 'srv:search:block', points: 3, perMs: 1_000, blockMs: 60_000 };

    const verdicts = await burst(storage, rule, 'id:mallory', 5);

    expect(allowed(verdicts)).toBe(3);
    // Refused for the block (a minute), not the one-second window.
    for (const refused of verdicts.slice(3)) expect(refused.retryAfterMs).toBeGreaterThan(1_000);
    const later = await storage.consume(rule, 'id:mallory');
    expect(later.allowed).toBe(false);
    expect(later.retryAfterMs).toBeGreaterThan(1_000);
  });

  describe('with Redis unreachable', () => {
    let down: Redis;

    beforeAll(async () => {
      down = await connect();
      // No offline queue: every command fails at once, as when the connection is lost.
      down.disconnect();
    });

    it('refuses every call of the batch as unavailable (fail-closed)', async () => {
      const storage = new RedisRateLimitStorage(down, prefix, 'fail-closed');
      const verdicts = await burst(
        storage,
        { id: 'srv:search:down', points: 3, perMs: 60_000 },
        'id:alice',
        4,
      );
      expect(verdicts).toEqual(
        Array(4).fill({ allowed: false, remaining: 0, retryAfterMs: 1_000, unavailable: true }),
      );
    });

    it('counts the batch in memory, one point per call (insurance)', async () => {
      const storage = new RedisRateLimitStorage(down, prefix, 'insurance');
      const rule = { id: 'srv:search:insured', points: 3, perMs: 60_000 };

      const verdicts = await burst(storage, rule, 'id:alice', 5);

      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false, false]);
      expect(verdicts.every((v) => v.unavailable === undefined)).toBe(true);
      expect((await storage.consume(rule, 'id:alice')).allowed).toBe(false);
    });
  });
});
