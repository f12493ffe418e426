import type { RedisClientLike } from '@rampart/core';
import type { ResourceLinkKey } from '../links/resource-link.signer';
import type { ResourceStore } from '../storage/resource.store';

/**
 * Redis storage: resources shared by every replica.
 *
 * @example
 * ```ts
 * const storage: RedisResourcesStorage = { redis: process.env.REDIS_URL, keyPrefix: 'web:resources:' };
 * ```
 */
export interface RedisResourcesStorage {
  /**
   * A Redis URL (a client is created, loading `ioredis`, and closed on shutdown) or an ioredis
   * client (never closed by Rampart). `undefined` or `''` (e.g. an unset `REDIS_URL`) means
   * memory.
   */
  redis: string | RedisClientLike | undefined;
  /**
   * Prefix of every key the store writes; replicas that share resources use the same one.
   * @default 'rampart:resources:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds.
   * @default 2000
   */
  commandTimeoutMs?: number;
}

/**
 * Defaults of the offload, for `Offloader.offloadIfLarge()` and `@Offload()`; both can override
 * each per call.
 *
 * @example
 * ```ts
 * const offload: OffloadOptions = { thresholdBytes: 16 * 1024, previewChars: 1_000, ttlMs: 900_000 };
 * ```
 */
export interface OffloadOptions {
  /**
   * A result of more bytes than this (UTF-8 for text) is stored and answered as a resource
   * link plus a preview; a result of this size or less passes through unchanged.
   * @default 8192
   */
  thresholdBytes?: number;
  /**
   * Characters of the result's start returned as its preview.
   * @default 500
   */
  previewChars?: number;
  /**
   * Media type of the stored result.
   * @default 'text/plain'
   */
  mimeType?: string;
  /**
   * How long the stored result and its link last, in milliseconds.
   * @default the module's `ttlMs` (one hour)
   */
  ttlMs?: number;
  /**
   * `name` of the resource link (and of the stored entry).
   * @default `offloaded-<id>`
   */
  name?: string;
}

/**
 * Options of `ResourcesModule.forRoot()`.
 *
 * @example
 * ```ts
 * ResourcesModule.forRoot({
 *   storage: { redis: process.env.REDIS_URL }, // memory when unset
 *   maxBytes: 512 * 1024 * 1024,
 *   keys: [{ id: 'k2', secret: process.env.RESOURCE_LINK_SECRET! }],
 * });
 * ```
 */
export interface ResourcesModuleOptions {
  /**
   * Where stored results live: this process's memory, Redis (shared by replicas), or a
   * {@link ResourceStore} of your own (its own caps apply; `maxBytes` and `maxEntryBytes` are
   * for the stores the module makes).
   * @default 'memory'
   */
  storage?: 'memory' | RedisResourcesStorage | ResourceStore;
  /**
   * Cap on the bytes of all stored contents together (of the store the module makes); the least
   * recently used entries are evicted until a new one fits. With Redis it is the cap of every
   * replica together.
   * @default 104857600 (100 MiB)
   */
  maxBytes?: number;
  /**
   * Cap on the bytes of one stored content; a larger result fails with `RESOURCE_TOO_LARGE`.
   * At most `maxBytes`.
   * @default 10485760 (10 MiB), or `maxBytes` when that is smaller
   */
  maxEntryBytes?: number;
  /**
   * How long a stored result and its link last, in milliseconds.
   * @default 3600000 (one hour)
   */
  ttlMs?: number;
  /**
   * Keys that sign resource links: the first signs, every one verifies (rotation: put the new
   * key first, keep the old one until its links have expired, then remove it). Secrets of 32
   * bytes or more, from configuration, the same on every replica. Without keys, a random key is
   * made at boot (with a warning): its links die with the process and do not read on other
   * replicas.
   * @default one random key per process
   */
  keys?: ResourceLinkKey[];
  /**
   * A scope whose holders may read the links of other subjects of their own tenant (never of
   * another tenant). Without it, only the owner reads a link.
   * @default none
   */
  sharingScope?: string;
  /**
   * What a large result of an anonymous call (no identity) gets. `refuse`: the call fails with
   * `RESOURCE_OWNER_REQUIRED`, since there is no owner to bind a link to. `allow`: the link is
   * bound to the anonymous owner, which makes it a bearer link: any caller holding it reads it
   * until it expires (a caller could always drop its credentials to read it anyway).
   * @default 'refuse'
   */
  anonymous?: 'refuse' | 'allow';
  /**
   * Defaults of the offload (threshold, preview, media type, TTL).
   * @default { thresholdBytes: 8192, previewChars: 500, mimeType: 'text/plain' }
   */
  offload?: OffloadOptions;
  /**
   * How often the in-memory store drops expired entries, in milliseconds.
   * @default 60000
   */
  sweepIntervalMs?: number;
}
