import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';

/**
 * API keys in this process's memory: the default store. Keys issued here live until the process
 * ends and are seen by this replica only; use `RedisApiKeyStore` to share them. Records are
 * copied in and out, so a caller cannot change a stored key by changing an object it holds. Keys
 * do not vanish when they expire (they are refused, and listed as expired), so the store needs no
 * timer.
 *
 * @example
 * ```ts
 * // Seeded from an API keys file (hashes only):
 * const store = new InMemoryApiKeyStore(await loadApiKeysFile(process.env.API_KEYS_FILE!));
 * SecurityModule.forRoot({ apiKeys: { store } });
 * ```
 */
export class InMemoryApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();

  constructor(records: Iterable<ApiKeyRecord> = []) {
    for (const record of records) this.records.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const record = this.records.get(id);
    return record && structuredClone(record);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.id, structuredClone(record));
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].map((record) => structuredClone(record));
  }
}
