import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ResourceTooLargeError } from '../errors/resource-too-large.error';
import { RESOURCES_DEFAULTS } from '../resources.constants';
import type {
  ResourceInput,
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
  ownedBy,
  ownerFilterOf,
  resolveLimits,
  usagePercent,
  type ResourceStoreLimits,
} from './store-limits';

/** Options of {@link InMemoryResourceStore}. */
export interface InMemoryResourceStoreOptions extends ResourceStoreLimits {
  /**
   * How often the sweep drops expired entries, in milliseconds (expired entries are also dropped
   * when read, and before anything is evicted).
   * @default 60000
   */
  sweepIntervalMs?: number;
}

/**
 * Resources in this process's memory: one replica's store, lost on restart. Each entry carries
 * its expiry and is dropped when read after it, by one `unref()`ed sweep (started on init,
 * cleared on shutdown; never a timer per entry), and before any live entry is evicted. Entries are
 * kept in least-recently-used order (a read moves one to the end); a put that does not fit evicts
 * from the front until it does.
 *
 * @example
 * ```ts
 * const store = new InMemoryResourceStore({ maxBytes: 64 * 1024 * 1024, maxEntryBytes: 4 * 1024 * 1024 });
 * const { id, usagePercent } = await store.put({ content, mimeType: 'text/plain', owner, ttlMs: 60_000 });
 * ```
 */
export class InMemoryResourceStore implements ResourceStore, OnModuleInit, OnModuleDestroy {
  /** Insertion order is recency order: the least recently used entry comes first. */
  private readonly entries = new Map<string, StoredResource>();
  private bytes = 0;
  private sweep?: NodeJS.Timeout;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  private readonly sweepIntervalMs: number;

  constructor(options: InMemoryResourceStoreOptions = {}) {
    ({ maxBytes: this.maxBytes, maxEntryBytes: this.maxEntryBytes } = resolveLimits(
      options,
      'InMemoryResourceStore',
    ));
    this.sweepIntervalMs = options.sweepIntervalMs ?? RESOURCES_DEFAULTS.sweepIntervalMs;
    if (!(Number.isSafeInteger(this.sweepIntervalMs) && this.sweepIntervalMs > 0))
      throw new RangeError(
        `sweepIntervalMs must be a positive integer, got ${this.sweepIntervalMs}`,
      );
  }

  put(input: ResourceInput): Promise<ResourcePutResult> {
    try {
      return Promise.resolve(this.putNow(input));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private putNow(input: ResourceInput): ResourcePutResult {
    assertTtl(input.ttlMs);
    const sizeBytes = contentBytes(input.content);
    if (sizeBytes > this.maxEntryBytes)
      throw new ResourceTooLargeError(sizeBytes, this.maxEntryBytes);
    const now = Date.now();
    let evicted = 0;
    if (this.bytes + sizeBytes > this.maxBytes) {
      // Expired entries go first, wherever they are in the order; then the least recently used.
      this.prune(now);
      for (const [id, entry] of this.entries) {
        if (this.bytes + sizeBytes <= this.maxBytes) break;
        this.remove(id, entry);
        evicted++;
      }
    }
    let id = newResourceId();
    while (this.entries.has(id)) id = newResourceId();
    const entry: StoredResource = {
      id,
      content: typeof input.content === 'string' ? input.content : Buffer.from(input.content),
      mimeType: input.mimeType,
      owner: input.owner && { ...input.owner },
      sizeBytes,
      createdAt: now,
      expiresAt: now + input.ttlMs,
      ...(input.name !== undefined && { name: input.name }),
    };
    this.entries.set(id, entry);
    this.bytes += sizeBytes;
    return {
      id,
      sizeBytes,
      expiresAt: entry.expiresAt,
      evicted,
      usagePercent: usagePercent(this.bytes, this.maxBytes),
    };
  }

  get(id: string): Promise<StoredResource | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve(undefined);
    this.entries.delete(id);
    if (entry.expiresAt <= Date.now()) {
      this.bytes -= entry.sizeBytes;
      return Promise.resolve(undefined);
    }
    // Most recently used now: to the end of the order.
    this.entries.set(id, entry);
    return Promise.resolve(entry);
  }

  delete(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve(false);
    this.remove(id, entry);
    return Promise.resolve(entry.expiresAt > Date.now());
  }

  deleteOwned(filter: ResourceOwnerFilter): Promise<number> {
    let owner: ResourceOwnerFilter;
    try {
      owner = ownerFilterOf(filter);
    } catch (error) {
      return Promise.reject(error);
    }
    const now = Date.now();
    let deleted = 0;
    for (const [id, entry] of this.entries) {
      if (!ownedBy(entry.owner, owner)) continue;
      this.remove(id, entry);
      if (entry.expiresAt > now) deleted++;
    }
    return Promise.resolve(deleted);
  }

  usage(): Promise<ResourceStoreUsage> {
    this.prune();
    return Promise.resolve({
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      usagePercent: usagePercent(this.bytes, this.maxBytes),
    });
  }

  /** Drops expired entries. */
  prune(now = Date.now()): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.remove(id, entry);
  }

  onModuleInit(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => this.prune(), this.sweepIntervalMs);
    this.sweep.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  /** Stops the sweep. */
  close(): Promise<void> {
    this.onModuleDestroy();
    return Promise.resolve();
  }

  private remove(id: string, entry: StoredResource): void {
    this.entries.delete(id);
    this.bytes -= entry.sizeBytes;
  }
}
