/**
 * One API key as stored: never the key itself, only a hash of its secret part.
 *
 * @example
 * ```ts
 * const record: ApiKeyRecord = {
 *   id: 'k7Qm2', hash: 'sha256:…', subject: 'svc-billing', tenant: 'acme',
 *   scopes: ['scrape:read'], createdAt: '2026-12-01T00:00:00.000Z',
 * };
 * ```
 */
export interface ApiKeyRecord {
  /** Public id of the key: the part of the key a lookup uses. */
  id: string;
  /** `sha256:` and the hex SHA-256 of the key's secret part. */
  hash: string;
  /** The identity's subject. */
  subject: string;
  tenant?: string;
  scopes?: string[];
  roles?: string[];
  /** A label for people. */
  name?: string;
  /** ISO 8601. */
  createdAt: string;
  /** Subject of who issued the key, when it was issued through `ApiKeys` by someone known. */
  createdBy?: string;
  /** ISO 8601; absent for keys that do not expire. */
  expiresAt?: string;
  /** ISO 8601; set when the key was revoked. */
  revokedAt?: string;
  /** Subject of who revoked the key, when known. */
  revokedBy?: string;
}

/**
 * Where API keys are kept. Implementations: `InMemoryApiKeyStore` (the default),
 * `RedisApiKeyStore` (shared by every replica), or your own.
 */
export interface ApiKeyStore {
  /** The key with this id, revoked and expired ones included. */
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Adds or replaces a key. */
  save(record: ApiKeyRecord): Promise<void>;
  /** Every key, for the admin API. */
  list(): Promise<ApiKeyRecord[]>;
  /** Releases connections; the module calls it on shutdown for a store it created. */
  close?(): Promise<void>;
}

/** Injection token of the module's {@link ApiKeyStore}. */
export const ApiKeyStore = Symbol.for('rampart:api-key-store');
