import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { generateApiKey } from './api-key';
import type { ApiKeyRecord } from './api-key.store';
import { isApiKeyStoreUnavailableError } from './api-key-store-unavailable.error';
import { RedisApiKeyStore } from './redis-api-key.store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const record = (id: string, hash: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  hash,
  subject: `svc-${id}`,
  tenant: 'acme',
  scopes: ['scrape:read'],
  roles: ['service'],
  createdAt: '2026-12-01T00:00:00.000Z',
  ...extra,
});

describe('RedisApiKeyStore (real Redis)', () => {
  const prefix = `test:api-keys:${randomUUID()}:`;
  let client: Redis;

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await client.ping();
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('saves, reads, replaces and lists records, shared by every store on the same prefix', async () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const writer = new RedisApiKeyStore(REDIS_URL, { keyPrefix: `${prefix}shared:` });
    const reader = new RedisApiKeyStore(client, { keyPrefix: `${prefix}shared:` });
    try {
      await expect(reader.get(a.id)).resolves.toBeUndefined();
      await writer.save(record(a.id, a.hash));
      await writer.save(record(b.id, b.hash));
      await expect(reader.get(a.id)).resolves.toEqual(record(a.id, a.hash));
      const revoked = record(a.id, a.hash, { revokedAt: '2026-12-02T00:00:00.000Z' });
      await writer.save(revoked);
      await expect(reader.get(a.id)).resolves.toEqual(revoked);
      const listed = await reader.list();
      expect(listed.sort((x, y) => x.id.localeCompare(y.id))).toEqual(
        [revoked, record(b.id, b.hash)].sort((x, y) => x.id.localeCompare(y.id)),
      );
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('keeps the records as JSON in one hash under its prefix, with hashes and never keys', async () => {
    const a = generateApiKey();
    const store = new RedisApiKeyStore(client, { keyPrefix: `${prefix}layout:` });
    await store.save(record(a.id, a.hash));
    expect(await client.keys(`${prefix}layout:*`)).toEqual([`${prefix}layout:records`]);
    const raw = await client.hget(`${prefix}layout:records`, a.id);
    expect(JSON.parse(raw!)).toEqual(record(a.id, a.hash));
    expect(raw).not.toContain(a.key.slice(14));
  });

  it('does not see the records of another prefix', async () => {
    const a = generateApiKey();
    await new RedisApiKeyStore(client, { keyPrefix: `${prefix}one:` }).save(record(a.id, a.hash));
    const other = new RedisApiKeyStore(client, { keyPrefix: `${prefix}two:` });
    await expect(other.get(a.id)).resolves.toBeUndefined();
    await expect(other.list()).resolves.toEqual([]);
  });

  it('refuses a stored value that is not a record, naming the id and not the value', async () => {
    await client.hset(`${prefix}corrupt:records`, 'AAAAAAAAAA', 'rk_not-json');
    const store = new RedisApiKeyStore(client, { keyPrefix: `${prefix}corrupt:` });
    const error = await store.get('AAAAAAAAAA').catch((e: Error) => e);
    expect((error as Error).message).toContain('"AAAAAAAAAA"');
    expect((error as Error).message).not.toContain('rk_not-json');
  });

  it('closes a client it created, and never one it was given', async () => {
    const owned = new RedisApiKeyStore(REDIS_URL, { keyPrefix: prefix });
    await owned.list();
    const ownedClient = (owned as unknown as { client: Redis }).client;
    const ended = new Promise((resolve) => ownedClient.once('end', resolve));
    await owned.onApplicationShutdown();
    await ended;
    expect(ownedClient.status).toBe('end');

    const given = new RedisApiKeyStore(client, { keyPrefix: prefix });
    await given.close();
    expect(client.status).toBe('ready');
    await expect(given.list()).resolves.toEqual([]);
  });

  it('rejects with ApiKeyStoreUnavailableError when Redis does not answer, whatever the client', async () => {
    // A "Redis" on the loopback that accepts connections and never answers (a frozen server),
    // and a client of the app's with no timeouts of its own: the store's deadline still holds.
    const sockets = new Set<Socket>();
    const frozen = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    const { port } = frozen.address() as AddressInfo;
    // (disconnectTimeout: ioredis otherwise keeps a 2 s timer after a disconnect.)
    const patient = new Redis(port, '127.0.0.1', { disconnectTimeout: 10 });
    const store = new RedisApiKeyStore(patient, { commandTimeoutMs: 200 });
    try {
      const error = await store.get('AAAAAAAAAA').catch((e: unknown) => e);
      expect(isApiKeyStoreUnavailableError(error)).toBe(true);
      await expect(store.list()).rejects.toThrow('The API key store is unavailable');
    } finally {
      patient.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => frozen.close(resolve));
    }
  });
});
