/**
 * Who owns a stored resource: the subject and tenant of the identity that created it. `null`
 * is the anonymous owner (see `ResourcesModuleOptions.anonymous`).
 *
 * @example
 * ```ts
 * const owner: ResourceOwner = { subject: 'alice', tenant: 'acme' };
 * ```
 */
export interface ResourceOwner {
  readonly subject: string;
  readonly tenant?: string;
}

/**
 * A resource to store.
 *
 * @example
 * ```ts
 * await store.put({ content: page, mimeType: 'text/html', owner: { subject: 'alice' }, ttlMs: 60_000 });
 * ```
 */
export interface ResourceInput {
  /** Text (kept as UTF-8) or bytes. */
  content: string | Uint8Array;
  /** Media type of the content, e.g. `text/plain`. */
  mimeType: string;
  /** Who may read it; `null` for the anonymous owner. */
  owner: ResourceOwner | null;
  /** How long it is kept, in milliseconds (it may be evicted earlier to make room). */
  ttlMs: number;
  /** A name for people, e.g. the page's URL. */
  name?: string;
}

/** A resource as the store keeps it. */
export interface StoredResource {
  /** Random id given by the store (22 base64url characters, 128 bits). */
  id: string;
  /** Text when it was stored as text, bytes otherwise. */
  content: string | Buffer;
  mimeType: string;
  owner: ResourceOwner | null;
  /** Size of the content in bytes (UTF-8 for text). */
  sizeBytes: number;
  /** When it was stored, in milliseconds since the epoch. */
  createdAt: number;
  /** When it expires, in milliseconds since the epoch. */
  expiresAt: number;
  name?: string;
}

/** What {@link ResourceStore.put} answers. */
export interface ResourcePutResult {
  id: string;
  sizeBytes: number;
  /** When the entry expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** Entries evicted (least recently used first) to make room for this one. */
  evicted: number;
  /** Bytes held after the put, as a percentage of `maxBytes` (the seed's `store_usage_percent`). */
  usagePercent: number;
}

/** How full a store is. */
export interface ResourceStoreUsage {
  /** Live entries. */
  entries: number;
  /** Bytes of their contents. */
  bytes: number;
  /** The cap on `bytes`. */
  maxBytes: number;
  /** `bytes / maxBytes × 100`, two decimals (the seed's `store_usage_percent`). */
  usagePercent: number;
}

/**
 * Which entries {@link ResourceStore.deleteOwned} deletes: every entry of one tenant's owners, or
 * of one owner of it. Entries of the anonymous owner (`owner: null`) never match.
 *
 * @example
 * ```ts
 * const everyPageOfAcme: ResourceOwnerFilter = { tenant: 'acme' };
 * const alicesOnly: ResourceOwnerFilter = { tenant: 'acme', subject: 'alice' };
 * const noTenant: ResourceOwnerFilter = { tenant: undefined }; // owners without a tenant
 * ```
 */
export interface ResourceOwnerFilter {
  /**
   * The owners' tenant. `undefined` (or `''`, which is no tenant either) matches the owners
   * without a tenant, and only them: it is a tenant of its own, as for links and approvals.
   */
  tenant: string | undefined;
  /** Only this subject's entries (of that tenant); every subject's when absent. */
  subject?: string;
}

/**
 * Where offloaded results are kept: entries with a TTL, a cap on the bytes of one entry
 * (`maxEntryBytes`, refused with a `ResourceTooLargeError`) and on the bytes of all
 * (`maxBytes`, the least recently used evicted until a new entry fits). Implementations:
 * `InMemoryResourceStore` (the default), `RedisResourceStore` (shared by every replica), or your
 * own.
 *
 * @example
 * ```ts
 * const { id } = await store.put({ content, mimeType: 'text/plain', owner, ttlMs: 3_600_000 });
 * const stored = await store.get(id); // undefined once expired, evicted or deleted
 * const deleted = await store.deleteOwned({ tenant: 'acme' }); // every entry of acme's owners
 * ```
 */
export interface ResourceStore {
  /** Stores a resource under a new random id, evicting others if it does not fit. */
  put(input: ResourceInput): Promise<ResourcePutResult>;
  /** The resource, unless expired, evicted or deleted; reading it makes it most recently used. */
  get(id: string): Promise<StoredResource | undefined>;
  /** Deletes a resource; answers whether it was there. */
  delete(id: string): Promise<boolean>;
  /**
   * Deletes the entries owned by `filter`'s tenant (or by one subject of it) and answers how many
   * live entries it deleted; anonymous entries and other tenants' are never touched. An entry
   * stored while it runs may survive it.
   */
  deleteOwned(filter: ResourceOwnerFilter): Promise<number>;
  /** How full the store is. */
  usage(): Promise<ResourceStoreUsage>;
  /** Releases connections; the module calls it on shutdown for a store it created. */
  close?(): Promise<void>;
}

/** Injection token of the module's {@link ResourceStore}. */
export const ResourceStore = Symbol.for('rampart:resource-store');
