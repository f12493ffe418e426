import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { KeyvCacheableMemory } from '@cacheable/memory';
import {
  createRedisClient,
  loadPackage,
  RampartChannel,
  type CacheEvent,
  type CacheEvictionEvent,
  type RedisClientLike,
} from '@rampart/core';
import { createCache, type Cache } from 'cache-manager';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { createHash, randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import {
  CACHE_REDIS_BACK,
  CACHE_REDIS_DOWN,
  INVALID_CACHE_OPTION,
} from '../errors/messages.constant';
import { CacheDefinitionError } from '../errors/cache-definition.error';
import { RESULT_CACHE_DEFAULTS } from './cache.constants';
import type { CacheScope, ResultCacheModuleOptions } from './cache-options.interface';
import { canonicalJson } from './canonical-json';
import { GuardedRedisStore } from './guarded-redis.store';
import { RedisGuard } from './redis-guard';

/** What an entry is keyed by. */
export interface CacheEntryKey {
  server: string;
  /** Tool name, or resource URI. */
  name: string;
  scope: CacheScope;
  /** The arguments the entry stands for (any JSON value; keyed by its canonical JSON). */
  args: unknown;
  /** The caller, for a private entry. */
  subject?: string;
  tenant?: string;
}

/** The answer of {@link ResultCache.getOrCompute}. */
export interface CacheLookup<T = unknown> {
  value: T;
  /** Whether the value came from the cache (or from a computation another call started). */
  hit: boolean;
  /** When the entry expires, in ms since the epoch (`0` for a value that was not kept). */
  expiresAt: number;
}

/** What a tier keeps: the value and when it expires. */
interface Envelope {
  v: unknown;
  e: number;
}

/** What the replicas tell each other on the invalidation channel. */
interface Invalidation {
  /** The replica that sent it (its own messages are ignored). */
  o: string;
  /** A key to drop from memory. */
  k?: string;
  /** A generation: every entry of `n` older than `g` is gone. */
  n?: string;
  g?: number;
}

const cacheEvents = channel(RampartChannel.cache);
const evictionEvents = channel(RampartChannel.cacheEviction);

const isEnvelope = (v: unknown): v is Envelope =>
  !!v && typeof v === 'object' && 'e' in v && typeof (v as Envelope).e === 'number';

/**
 * The two-level result cache behind `@Cacheable()` and `@CacheEvict()`: cache-manager over Keyv
 * stores, memory first (L1, LRU by entries), then Redis (L2, shared by the replicas) when a URL is
 * given. One computation per key at a time in this process; a value found in Redis is copied to
 * memory for the rest of its time. Sets and evictions are published on a Redis channel, on which
 * every other replica drops its memory copy. Whole-tool evictions bump the tool's generation, a
 * part of every key, kept in Redis and announced on the same channel.
 *
 * A Redis that is down never fails a call: reads miss, writes are skipped, and the cache tries
 * Redis again after `retryAfterMs`; the outage is logged once and counted in {@link stats}.
 *
 * @example
 * ```ts
 * const { value, hit } = await cache.getOrCompute(
 *   { server: 'web-scrape', name: 'scrape_url', scope: 'public', args: { url } },
 *   30_000,
 *   () => scrape(url),
 * );
 * await cache.evict({ server: 'web-scrape', name: 'scrape_url' }); // every entry of the tool
 * ```
 */
export class ResultCache implements OnModuleInit, OnApplicationShutdown {
  /** This replica, in the invalidation messages. */
  readonly id = randomUUID();
  private readonly logger = new Logger('ResultCache');
  private readonly cache: Cache;
  private readonly l1: Keyv;
  private readonly l2?: Keyv;
  private readonly guard?: RedisGuard;
  private readonly prefix: string;
  private readonly topic: string;
  private readonly pub?: RedisClientLike;
  private readonly sub?: RedisClientLike;
  private readonly inFlight = new Map<string, Promise<CacheLookup>>();
  /**
   * Generation of each `server\0name` evicted whole (by this replica or, announced, another);
   * absent means 0. Only evictions add to it, never a read: `name` is a resource's URI for
   * `resources/read`, which callers choose, and one entry per URI read grew without bound
   * (200,000 reads of unknown URIs: 64 MB).
   */
  private readonly generations = new Map<string, number>();
  /**
   * With Redis, the names Redis said were never evicted, so that a read does not ask again: at
   * most `maxEntries`, the oldest forgotten first (a forgotten one is asked again).
   */
  private readonly unevicted = new Set<string>();
  private readonly maxUnevicted: number;
  private readonly loading = new Map<string, Promise<number>>();
  private connecting?: Promise<void>;
  private closed = false;
  private readonly counts = { hits: 0, misses: 0, evictions: 0 };

  constructor(options: ResultCacheModuleOptions = {}) {
    const o = { ...RESULT_CACHE_DEFAULTS, ...stripUndefined(options) };
    for (const field of ['maxEntries', 'commandTimeoutMs', 'retryAfterMs'] as const)
      if (!Number.isSafeInteger(o[field]) || o[field] <= 0)
        throw new CacheDefinitionError(
          INVALID_CACHE_OPTION(field, `a positive integer, got ${String(o[field])}`),
        );
    if (typeof o.keyPrefix !== 'string')
      throw new CacheDefinitionError(INVALID_CACHE_OPTION('keyPrefix', 'a string'));
    this.prefix = o.keyPrefix;
    this.maxUnevicted = o.maxEntries;
    this.topic = `${o.keyPrefix}invalidate`;
    // Memory keeps the envelopes themselves: no serialization, no copy. Values are shared by the
    // calls that hit them and must not be changed.
    this.l1 = new Keyv({
      store: new KeyvCacheableMemory({ lruSize: o.maxEntries, useClone: false, checkInterval: 0 }),
      namespace: undefined,
    });
    this.l1.serialize = undefined;
    this.l1.deserialize = undefined;
    const stores = [this.l1];
    if (o.redis) {
      this.guard = new RedisGuard(
        o.commandTimeoutMs,
        o.retryAfterMs,
        (error) =>
          this.logger.warn(
            CACHE_REDIS_DOWN(error instanceof Error ? error.message : String(error)),
          ),
        () => this.logger.log(CACHE_REDIS_BACK()),
      );
      this.l2 = new Keyv({
        store: new GuardedRedisStore(createKeyvRedis(o.redis, o.commandTimeoutMs), this.guard),
        namespace: undefined,
        useKeyPrefix: false,
      });
      this.l2.on('error', () => undefined);
      stores.push(this.l2);
      const feature = 'The result cache (ResultCacheModule `redis`)';
      // A connection still being made when the app stops is dropped at once (not after 2 s).
      const ioredis = { disconnectTimeout: 100 };
      this.pub = createRedisClient(o.redis, {
        feature,
        commandTimeoutMs: o.commandTimeoutMs,
        ioredis,
      });
      // The subscriber sends nothing on a call's path: it may wait as long as booting does.
      this.sub = createRedisClient(o.redis, {
        feature,
        commandTimeoutMs: RESULT_CACHE_DEFAULTS.connectTimeoutMs,
        ioredis,
      });
      for (const client of [this.pub, this.sub]) client.on('error', () => undefined);
      this.sub.on('message', (topic, message) => {
        if (topic === this.topic) void this.received(message);
      });
      const sub = this.sub;
      const pub = this.pub;
      const l2 = this.l2;
      const guard = this.guard;
      // Connects now rather than on the first call, within a bound: a Redis that is down at boot
      // is logged once and the app starts on memory.
      this.connecting = guard.run(
        () =>
          Promise.all([
            whenReady(sub).then(() => sub.subscribe(this.topic)),
            whenReady(pub),
            (l2.store as GuardedRedisStore).connect(),
          ]).then(() => undefined),
        undefined,
        RESULT_CACHE_DEFAULTS.connectTimeoutMs,
      );
    }
    this.cache = createCache({ stores });
  }

  /**
   * Resolves once this replica is connected to Redis and listens to the others' invalidations,
   * or has given up for now (at once without Redis). Nest waits for it when the module starts.
   */
  async ready(): Promise<void> {
    await this.connecting;
  }

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  /** Counts of this process, and whether Redis is being left alone after a failure. */
  stats(): {
    hits: number;
    misses: number;
    evictions: number;
    redisOutages: number;
    redisDown: boolean;
  } {
    return {
      ...this.counts,
      redisOutages: this.guard?.outages ?? 0,
      redisDown: this.guard?.down ?? false,
    };
  }

  /**
   * The cached value of `key`, or the value `compute` gives (kept for `ttlMs` when `keep`
   * says so). Concurrent calls for one key share one computation.
   */
  async getOrCompute<T>(
    key: CacheEntryKey,
    ttlMs: number,
    compute: () => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<CacheLookup<T>> {
    const k = await this.keyOf(key);
    const found = await this.l1.get<Envelope>(k);
    if (isEnvelope(found) && found.e > Date.now())
      return this.hit(key.name, found) as CacheLookup<T>;
    const running = this.inFlight.get(k);
    if (running) {
      const shared = await running;
      return this.hit(key.name, { v: shared.value, e: shared.expiresAt }) as CacheLookup<T>;
    }
    const lookup = this.load(k, key.name, ttlMs, compute, keep);
    this.inFlight.set(k, lookup);
    try {
      return (await lookup) as CacheLookup<T>;
    } finally {
      this.inFlight.delete(k);
    }
  }

  /**
   * Drops the entry of `key` (its `args`; the caller's own when private), or with no `args`
   * every entry of the tool, here and on every replica.
   */
  async evict(
    key: Omit<CacheEntryKey, 'args' | 'scope'> & Partial<Pick<CacheEntryKey, 'args' | 'scope'>>,
  ): Promise<void> {
    this.counts.evictions++;
    if (evictionEvents.hasSubscribers)
      evictionEvents.publish({ name: key.name } satisfies CacheEvictionEvent);
    if (key.args === undefined) return this.bump(key.server, key.name);
    const k = await this.keyOf({ ...key, scope: key.scope ?? 'public', args: key.args });
    await this.cache.del(k);
    this.announce({ o: this.id, k });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sub?.disconnect();
    this.pub?.disconnect();
    await this.cache.disconnect().catch(() => undefined);
  }

  private async load<T>(
    k: string,
    name: string,
    ttlMs: number,
    compute: () => Promise<T>,
    keep: (value: T) => boolean,
  ): Promise<CacheLookup> {
    if (this.l2) {
      const shared = await this.l2.get<Envelope>(k).catch(() => undefined);
      if (isEnvelope(shared)) {
        const left = shared.e - Date.now();
        if (left > 0) {
          await this.l1.set(k, shared, left);
          return this.hit(name, shared);
        }
      }
    }
    this.counts.misses++;
    if (cacheEvents.hasSubscribers) cacheEvents.publish({ name, hit: false } satisfies CacheEvent);
    const value = await compute();
    if (!keep(value)) return { value, hit: false, expiresAt: 0 };
    const envelope: Envelope = { v: value, e: Date.now() + ttlMs };
    await this.cache.set(k, envelope, ttlMs).catch(() => undefined);
    this.announce({ o: this.id, k });
    return { value, hit: false, expiresAt: envelope.e };
  }

  private hit(name: string, envelope: Envelope): CacheLookup {
    this.counts.hits++;
    if (cacheEvents.hasSubscribers) cacheEvents.publish({ name, hit: true } satisfies CacheEvent);
    return { value: envelope.v, hit: true, expiresAt: envelope.e };
  }

  /** The key of an entry: prefix and a hash of its parts (the tool's generation among them). */
  private async keyOf(key: CacheEntryKey): Promise<string> {
    const gen = this.generations.get(genKey(key.server, key.name)) ?? (await this.generation(key));
    const parts = [key.server, key.name, gen, key.scope, canonicalJson(key.args)];
    if (key.scope === 'private') parts.push(key.subject ?? '', key.tenant ?? '');
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
    return `${this.prefix}${digest}`;
  }

  /**
   * The generation of a name this process holds none for: 0 without Redis (every eviction went
   * through `generations`); with Redis, read once and remembered.
   */
  private generation({ server, name }: { server: string; name: string }): Promise<number> | number {
    const g = genKey(server, name);
    if (!this.pub || !this.guard || this.unevicted.has(g)) return 0;
    let loading = this.loading.get(g);
    if (!loading) {
      const pub = this.pub;
      loading = this.guard
        .run(() => pub.call('GET', this.genRedisKey(server, name)), undefined)
        .then((raw) => {
          const n = Number(raw ?? 0) || 0;
          // Kept only when Redis answered (`null` for a tool never evicted whole): else the next
          // call asks again.
          if (raw !== undefined) {
            if (n > 0) this.setGeneration(g, n);
            else if (!this.generations.has(g)) this.rememberUnevicted(g);
          }
          return this.generations.get(g) ?? n;
        })
        .finally(() => this.loading.delete(g));
      this.loading.set(g, loading);
    }
    return loading;
  }

  private async bump(server: string, name: string): Promise<void> {
    const g = genKey(server, name);
    const local = (this.generations.get(g) ?? (await this.generation({ server, name }))) + 1;
    let next = local;
    if (this.pub && this.guard) {
      const pub = this.pub;
      const shared = await this.guard.run(
        () => pub.call('INCR', this.genRedisKey(server, name)),
        undefined,
      );
      if (typeof shared === 'number') next = Math.max(shared, local);
    }
    this.setGeneration(g, next);
    this.announce({ o: this.id, n: g, g: next });
  }

  private setGeneration(g: string, generation: number): void {
    this.generations.set(g, Math.max(generation, this.generations.get(g) ?? 0));
    this.unevicted.delete(g);
  }

  private rememberUnevicted(g: string): void {
    if (this.unevicted.size >= this.maxUnevicted) {
      const oldest = this.unevicted.values().next();
      if (!oldest.done) this.unevicted.delete(oldest.value);
    }
    this.unevicted.add(g);
  }

  private genRedisKey(server: string, name: string): string {
    return `${this.prefix}gen:${createHash('sha256').update(genKey(server, name)).digest('base64url')}`;
  }

  /** Tells the other replicas; never waits on nor fails for Redis. */
  private announce(message: Invalidation): void {
    if (!this.pub || !this.guard || this.guard.down) return;
    this.pub.publish(this.topic, JSON.stringify(message)).catch(() => undefined);
  }

  private async received(raw: string): Promise<void> {
    let message: Invalidation;
    try {
      message = JSON.parse(raw) as Invalidation;
    } catch {
      return;
    }
    if (message.o === this.id) return;
    if (typeof message.k === 'string') await this.l1.delete(message.k);
    if (typeof message.n === 'string' && typeof message.g === 'number')
      this.setGeneration(message.n, message.g);
  }
}

/** Resolves when an ioredis client is connected and ready for commands. */
const whenReady = (client: RedisClientLike): Promise<void> =>
  client.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve) => client.on('ready', () => resolve()));

const genKey = (server: string, name: string) => `${server}\0${name}`;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What the cache uses of `@keyv/redis`'s adapter class (an optional peer: no type import). */
type KeyvRedisClass = new (
  connect: Record<string, unknown>,
  options: Record<string, unknown>,
) => KeyvStoreAdapter;

/** `@keyv/redis` on a node-redis client that fails a command at once while disconnected. */
function createKeyvRedis(url: string, connectTimeoutMs: number) {
  // Optional peer: loaded only when a Redis URL is given.
  const { default: KeyvRedis } = loadPackage<{ default: KeyvRedisClass }>(
    '@keyv/redis',
    'The result cache in Redis (ResultCacheModule `redis`)',
  );
  const store = new KeyvRedis(
    {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
      },
    },
    // No `connectionTimeout`: its timer outlives the connection; the guard bounds every wait.
    { throwOnConnectError: true, throwOnErrors: true },
  );
  store.on('error', () => undefined);
  return store;
}
