import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createRedisClient, type RedisClientLike } from '@rampart/core';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { API_KEY_STORE_RECORD_CORRUPT, REDIS_DOWN } from './api-key-messages.constant';
import { ApiKeyStoreUnavailableError } from './api-key-store-unavailable.error';

/** Default prefix of the keys {@link RedisApiKeyStore} writes. */
export const DEFAULT_API_KEYS_REDIS_PREFIX = 'rampart:api-keys:';

/** Default longest wait for Redis on one command of {@link RedisApiKeyStore}, in milliseconds. */
export const DEFAULT_API_KEYS_COMMAND_TIMEOUT_MS = 1_000;

/** Options of {@link RedisApiKeyStore}. */
export interface RedisApiKeyStoreOptions {
  /**
   * Prefix of the keys the store writes: the records are one hash, `<keyPrefix>records`.
   * @default 'rampart:api-keys:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds; past it the command fails with an
   * `ApiKeyStoreUnavailableError`, as if Redis were down.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/**
 * API keys in Redis, shared by every replica: a key issued or revoked on one replica is seen by
 * all at their next lookup (no cache). The records are one hash, field = key id, value = the
 * record as JSON (hashes only, never a key).
 *
 * Give it a `redis://` URL (the store creates its client, loading `ioredis` then, and closes it
 * on shutdown) or an ioredis client of your own (never closed here). Every command is bounded by
 * `commandTimeoutMs`; a Redis that is down or does not answer makes the methods reject with an
 * `ApiKeyStoreUnavailableError`.
 *
 * @example
 * ```ts
 * const store = new RedisApiKeyStore(process.env.REDIS_URL!, { keyPrefix: 'web:api-keys:' });
 * SecurityModule.forRoot({ apiKeys: { store } });
 * // or: new RedisApiKeyStore(new Redis(url, { commandTimeout: 1_000, socketTimeout: 1_000 }))
 * ```
 */
export class RedisApiKeyStore implements ApiKeyStore, OnApplicationShutdown {
  private readonly client: RedisClientLike;
  private readonly owned: boolean;
  private readonly hashKey: string;
  private readonly timeoutMs: number;

  constructor(redis: string | RedisClientLike, options: RedisApiKeyStoreOptions = {}) {
    this.hashKey = `${options.keyPrefix ?? DEFAULT_API_KEYS_REDIS_PREFIX}records`;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_API_KEYS_COMMAND_TIMEOUT_MS;
    if (typeof redis !== 'string') {
      this.client = redis;
      this.owned = false;
      return;
    }
    // ioredis is loaded only when keys live in Redis: the memory store needs no package.
    const client = createRedisClient<import('ioredis').Redis>(redis, {
      commandTimeoutMs: this.timeoutMs,
      feature: 'API keys in Redis (SecurityModule `apiKeys.store.redis`)',
    });
    const logger = new Logger('RedisApiKeyStore');
    let down = false;
    client.on('error', (e: Error) => {
      if (!down) logger.warn(REDIS_DOWN(e.message));
      down = true;
    });
    client.on('ready', () => (down = false));
    this.client = client as unknown as RedisClientLike;
    this.owned = true;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const raw = (await this.run('HGET', this.hashKey, id)) as string | Buffer | null;
    return raw === null ? undefined : parse(raw.toString(), id);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    await this.run('HSET', this.hashKey, record.id, JSON.stringify(record));
  }

  async list(): Promise<ApiKeyRecord[]> {
    const all = (await this.run('HGETALL', this.hashKey)) as string[] | null;
    const records: ApiKeyRecord[] = [];
    // HGETALL through `call` answers a flat list: field, value, field, value…
    for (let i = 0; i + 1 < (all?.length ?? 0); i += 2) records.push(parse(all![i + 1], all![i]));
    return records;
  }

  /** Closes the client the store created from a URL; a client that was given stays open. */
  async close(): Promise<void> {
    if (!this.owned) return;
    // A client that is not connected (Redis down) has nothing to flush: it stops reconnecting.
    if (this.client.status !== 'ready') return this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** One command, bounded by the command timeout; any failure is the store being unavailable. */
  private run(command: string, ...args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ApiKeyStoreUnavailableError(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.client.call(command, ...args).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(
            new ApiKeyStoreUnavailableError(
              error instanceof Error ? error.message : String(error),
              error,
            ),
          );
        },
      );
    });
  }
}

function parse(raw: string, id: string): ApiKeyRecord {
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    record = undefined;
  }
  const r = record as Partial<ApiKeyRecord> | undefined;
  if (!r || typeof r !== 'object' || r.id !== id || typeof r.hash !== 'string')
    throw new Error(API_KEY_STORE_RECORD_CORRUPT(id));
  return r as ApiKeyRecord;
}
