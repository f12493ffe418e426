import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createRedisClient, type RedisClientLike } from '@rampart/core';
import { createHash } from 'node:crypto';
import { RECORD_CORRUPT, REDIS_DOWN } from '../errors/messages.constant';
import { ResourceStoreUnavailableError } from '../errors/resource-store-unavailable.error';
import { ResourceTooLargeError } from '../errors/resource-too-large.error';
import {
  DELETE_OWNED_SCRIPT,
  DELETE_SCRIPT,
  GET_SCRIPT,
  PUT_SCRIPT,
  USAGE_SCRIPT,
} from './redis-resource.scripts';
import type {
  ResourceInput,
  ResourceOwner,
  ResourceOwnerFilter,
  ResourcePutResult,
  ResourceStore,
  ResourceStoreUsage,
  StoredResource,
} from './resource.store';
import {
  assertTtl,
  contentBytes,
  newResourceId,
  ownerFilterOf,
  resolveLimits,
  usagePercent,
  type ResourceStoreLimits,
} from './store-limits';

/** Default prefix of the keys {@link RedisResourceStore} writes. */
export const DEFAULT_RESOURCES_REDIS_PREFIX = 'rampart:resources:';

/** Default longest wait for Redis on one command of {@link RedisResourceStore}, in milliseconds. */
export const DEFAULT_RESOURCES_COMMAND_TIMEOUT_MS = 2_000;

/** Options of {@link RedisResourceStore}. */
export interface RedisResourceStoreOptions extends ResourceStoreLimits {
  /**
   * Prefix of every key the store writes. Replicas that share resources use the same prefix
   * (and the same `maxBytes`). On Redis Cluster, give it a hash tag: `{rampart-resources}:`.
   * @default 'rampart:resources:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds (a put carries the whole content);
   * past it the command fails with a `ResourceStoreUnavailableError`, as if Redis were down.
   * @default 2000
   */
  commandTimeoutMs?: number;
}

/** What the store keeps as an entry's `m` field. */
interface Metadata {
  mimeType: string;
  /** `text`: `c` is the UTF-8 text; `blob`: `c` is base64. */
  kind: 'text' | 'blob';
  owner: ResourceOwner | null;
  size: number;
  name?: string;
}

/** A Lua script run with `EVALSHA`, sent again with `EVAL` when Redis does not know it. */
class Script {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClientLike, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.call('EVALSHA', this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.call('EVAL', this.source, keys.length, ...keys, ...args);
    }
  }
}

const PUT = new Script(PUT_SCRIPT);
const GET = new Script(GET_SCRIPT);
const DELETE = new Script(DELETE_SCRIPT);
const USAGE = new Script(USAGE_SCRIPT);
const DELETE_OWNED = new Script(DELETE_OWNED_SCRIPT);

/** Owner-index entries one script of {@link RedisResourceStore.deleteOwned} looks at. */
const DELETE_OWNED_PAGE = 500;

/** The owner index of a tenant: `:<tenant>`, or `-` for owners without one. */
const ownerIndex = (tenant: string | undefined): string => (tenant ? `:${tenant}` : '-');

/**
 * Resources in Redis, shared by every replica on the same key prefix: a link made on one replica
 * reads on any other. Each entry expires by itself (`PEXPIREAT`); the total of the contents'
 * bytes, the recency order (least recently used first, a read moves an entry to the end) and the
 * expiry index live beside the entries, and every put, get, delete and usage is one Lua script,
 * so that the caps hold when several replicas write at once: a put evicts the least recently
 * used entries, across replicas, until it fits. Time is Redis's (`TIME`), not the replicas'.
 * Each tenant's entries are indexed too (`<prefix>t:<tenant>`), so that `deleteOwned` deletes
 * them page by page (each page one script) without looking at another tenant's keys. Entries
 * written by a version without the index (before `deleteOwned`) are not found by it; they go at
 * their TTL.
 *
 * Give it a `redis://` URL (the store creates its client, loading `ioredis` then, and closes it
 * on shutdown) or an ioredis client of your own (never closed here). Every command is bounded by
 * `commandTimeoutMs`; a Redis that is down or does not answer makes the methods reject with a
 * `ResourceStoreUnavailableError`.
 *
 * @example
 * ```ts
 * const store = new RedisResourceStore(process.env.REDIS_URL!, { maxBytes: 512 * 1024 * 1024 });
 * ResourcesModule.forRoot({ storage: store, keys });
 * ```
 */
export class RedisResourceStore implements ResourceStore, OnApplicationShutdown {
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  private readonly client: RedisClientLike;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly keys: string[];

  constructor(redis: string | RedisClientLike, options: RedisResourceStoreOptions = {}) {
    ({ maxBytes: this.maxBytes, maxEntryBytes: this.maxEntryBytes } = resolveLimits(
      options,
      'RedisResourceStore',
    ));
    this.prefix = options.keyPrefix ?? DEFAULT_RESOURCES_REDIS_PREFIX;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_RESOURCES_COMMAND_TIMEOUT_MS;
    if (!(Number.isSafeInteger(this.timeoutMs) && this.timeoutMs > 0))
      throw new RangeError(`commandTimeoutMs must be a positive integer, got ${this.timeoutMs}`);
    this.keys = ['lru', 'exp', 'sizes', 'bytes', 'seq', 'owners'].map((k) => this.prefix + k);
    if (typeof redis !== 'string') {
      this.client = redis;
      this.owned = false;
      return;
    }
    // ioredis is loaded only when resources live in Redis: the memory store needs no package.
    const client = createRedisClient<import('ioredis').Redis>(redis, {
      commandTimeoutMs: this.timeoutMs,
      feature: 'Resources in Redis (ResourcesModule `storage.redis`)',
    });
    const logger = new Logger('RedisResourceStore');
    let down = false;
    client.on('error', (e: Error) => {
      if (!down) logger.warn(REDIS_DOWN(e.message));
      down = true;
    });
    client.on('ready', () => (down = false));
    this.client = client as unknown as RedisClientLike;
    this.owned = true;
  }

  async put(input: ResourceInput): Promise<ResourcePutResult> {
    assertTtl(input.ttlMs);
    const size = contentBytes(input.content);
    if (size > this.maxEntryBytes) throw new ResourceTooLargeError(size, this.maxEntryBytes);
    const text = typeof input.content === 'string';
    const metadata: Metadata = {
      mimeType: input.mimeType,
      kind: text ? 'text' : 'blob',
      owner: input.owner && { subject: input.owner.subject, tenant: input.owner.tenant },
      size,
      ...(input.name !== undefined && { name: input.name }),
    };
    const content = text
      ? (input.content as string)
      : Buffer.from(input.content as Uint8Array).toString('base64');
    for (;;) {
      const id = newResourceId();
      const answer = (await this.run(
        PUT,
        [this.entryKey(id)],
        [
          id,
          size,
          input.ttlMs,
          this.maxBytes,
          content,
          JSON.stringify(metadata),
          metadata.owner ? ownerIndex(metadata.owner.tenant) : '',
          metadata.owner?.subject ?? '',
        ],
      )) as number[];
      if (answer[0] === -1) continue; // 128 random bits taken: draw again
      const [, expiresAt, after, evicted] = answer.map(Number);
      return {
        id,
        sizeBytes: size,
        expiresAt,
        evicted,
        usagePercent: usagePercent(after, this.maxBytes),
      };
    }
  }

  async get(id: string): Promise<StoredResource | undefined> {
    const found = (await this.run(GET, [this.entryKey(id)], [id])) as
      [string, string, string, string] | null;
    if (!found) return undefined;
    const [content, raw, createdAt, expiresAt] = found;
    const metadata = parse(raw, id);
    return {
      id,
      content: metadata.kind === 'text' ? content : Buffer.from(content, 'base64'),
      mimeType: metadata.mimeType,
      owner: metadata.owner,
      sizeBytes: metadata.size,
      createdAt: Number(createdAt),
      expiresAt: Number(expiresAt),
      ...(metadata.name !== undefined && { name: metadata.name }),
    };
  }

  async delete(id: string): Promise<boolean> {
    return Number(await this.run(DELETE, [], [id])) === 1;
  }

  async deleteOwned(filter: ResourceOwnerFilter): Promise<number> {
    const owner = ownerFilterOf(filter);
    const index = ownerIndex(owner.tenant);
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, count] = (await this.run(
        DELETE_OWNED,
        [],
        [
          index,
          cursor,
          DELETE_OWNED_PAGE,
          owner.subject === undefined ? '0' : '1',
          owner.subject ?? '',
        ],
      )) as [string, number];
      cursor = String(next);
      deleted += Number(count);
    } while (cursor !== '0');
    return deleted;
  }

  async usage(): Promise<ResourceStoreUsage> {
    const [entries, bytes] = ((await this.run(USAGE, [], [])) as number[]).map(Number);
    return {
      entries,
      bytes,
      maxBytes: this.maxBytes,
      usagePercent: usagePercent(bytes, this.maxBytes),
    };
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

  private entryKey(id: string): string {
    return `${this.prefix}r:${id}`;
  }

  /** One script, bounded by the command timeout; any failure is the store being unavailable. */
  private run(script: Script, extraKeys: string[], args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ResourceStoreUnavailableError(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const prefixes = [`${this.prefix}r:`, `${this.prefix}t`];
      script.run(this.client, [...this.keys, ...extraKeys], [...prefixes, ...args]).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(
            new ResourceStoreUnavailableError(
              error instanceof Error ? error.message : String(error),
              error,
            ),
          );
        },
      );
    });
  }
}

function parse(raw: string, id: string): Metadata {
  let metadata: unknown;
  try {
    metadata = JSON.parse(raw);
  } catch {
    metadata = undefined;
  }
  const m = metadata as Partial<Metadata> | undefined;
  if (
    !m ||
    typeof m !== 'object' ||
    typeof m.mimeType !== 'string' ||
    (m.kind !== 'text' && m.kind !== 'blob') ||
    typeof m.size !== 'number'
  )
    throw new Error(RECORD_CORRUPT(id));
  return { ...m, owner: m.owner ?? null } as Metadata;
}
