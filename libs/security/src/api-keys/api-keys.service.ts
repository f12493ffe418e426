import type { McpIdentity } from '@rampart/core';
import {
  API_KEY_ID_PATTERN,
  generateApiKey,
  verifyApiKey,
  type ApiKeyRefusalReason,
} from './api-key';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { findFieldProblem, isPlainObject, ISSUE_FIELDS } from './api-key-fields';
import { ApiKeyInputError } from './api-key-input.error';
import { API_KEY_INPUT_NOT_OBJECT } from './api-key-messages.constant';

/** What a new key is for. */
export interface IssueApiKeyInput {
  /** The identity's subject (e.g. the service's client id). */
  subject: string;
  /** The tenant the key acts for. */
  tenant?: string;
  /** Scopes the key grants. @default none */
  scopes?: readonly string[];
  /** Roles the key holds. @default none */
  roles?: readonly string[];
  /** A label for people. */
  name?: string;
  /** When the key stops working: a `Date` or an ISO 8601 string, in the future. @default never */
  expiresAt?: string | Date;
}

/** A key as the admin API and {@link ApiKeys.list} show it: its record without the hash. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'hash'>;

/** A key just issued: the key itself, which is shown this once and stored nowhere, and its record. */
export interface IssuedApiKey {
  /** `rk_<id>_<secret>`: hand it to the client now; only its hash is kept. */
  key: string;
  record: ApiKeyInfo;
}

/** The outcome of {@link ApiKeys.verify}. */
export type ApiKeyCheck =
  { ok: true; identity: McpIdentity } | { ok: false; reason: ApiKeyRefusalReason };

/** Options of {@link ApiKeys}. */
export interface ApiKeysOptions {
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Issues, lists, revokes and verifies API keys kept in an {@link ApiKeyStore}. A key is shown once,
 * when issued; the store keeps only the hash of its secret.
 *
 * @example
 * ```ts
 * const apiKeys = new ApiKeys(new InMemoryApiKeyStore());
 * const { key } = await apiKeys.issue({ subject: 'svc-billing', scopes: ['scrape:read'] });
 * const check = await apiKeys.verify(key);
 * if (check.ok) console.log(check.identity.subject); // 'svc-billing'
 * ```
 */
export class ApiKeys {
  private readonly now: () => number;

  constructor(
    readonly store: ApiKeyStore,
    options: ApiKeysOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Makes a key and stores its record. Throws an {@link ApiKeyInputError} naming the field when
   * the input is not valid (unknown fields included).
   *
   * @param by subject of who issues it, kept as `createdBy`
   */
  async issue(input: IssueApiKeyInput, by?: string): Promise<IssuedApiKey> {
    if (!isPlainObject(input)) throw new ApiKeyInputError('body', API_KEY_INPUT_NOT_OBJECT());
    const fields: Record<string, unknown> = { ...input };
    if (input.expiresAt instanceof Date)
      fields.expiresAt = Number.isNaN(input.expiresAt.getTime())
        ? 'invalid'
        : input.expiresAt.toISOString();
    const problem = findFieldProblem(fields, ISSUE_FIELDS);
    if (problem) throw new ApiKeyInputError(problem.field, problem.problem);
    const now = this.now();
    const expiresAt =
      fields.expiresAt === undefined ? undefined : Date.parse(fields.expiresAt as string);
    if (expiresAt !== undefined && expiresAt <= now)
      throw new ApiKeyInputError('expiresAt', 'must be in the future');

    let generated = generateApiKey();
    // Ids are random (about 59 bits); a clash is all but impossible, and still never overwrites.
    while (await this.store.get(generated.id)) generated = generateApiKey();
    const record: ApiKeyRecord = {
      id: generated.id,
      hash: generated.hash,
      subject: input.subject,
      ...(input.tenant !== undefined && { tenant: input.tenant }),
      ...(input.scopes !== undefined && { scopes: [...input.scopes] }),
      ...(input.roles !== undefined && { roles: [...input.roles] }),
      ...(input.name !== undefined && { name: input.name }),
      createdAt: new Date(now).toISOString(),
      ...(by !== undefined && { createdBy: by }),
      ...(expiresAt !== undefined && { expiresAt: new Date(expiresAt).toISOString() }),
    };
    await this.store.save(record);
    return { key: generated.key, record: withoutHash(record) };
  }

  /**
   * Revokes a key: from now on it is refused (`revoked`). Revoking a revoked key changes nothing.
   * Resolves with the key's record, or `undefined` when no key has this id.
   *
   * @param by subject of who revokes it, kept as `revokedBy`
   */
  async revoke(id: string, by?: string): Promise<ApiKeyInfo | undefined> {
    if (typeof id !== 'string' || !API_KEY_ID_PATTERN.test(id)) return undefined;
    const record = await this.store.get(id);
    if (!record) return undefined;
    if (record.revokedAt !== undefined) return withoutHash(record);
    const revoked: ApiKeyRecord = {
      ...record,
      revokedAt: new Date(this.now()).toISOString(),
      ...(by !== undefined && { revokedBy: by }),
    };
    await this.store.save(revoked);
    return withoutHash(revoked);
  }

  /** Every key, revoked and expired ones included, oldest first, without hashes. */
  async list(): Promise<ApiKeyInfo[]> {
    const records = await this.store.list();
    return records
      .map(withoutHash)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Checks a presented key (any value: a header's, for instance) and resolves with the identity
   * it proves, or with the reason it is refused. A store that fails rejects (an outage, answered
   * as such, not as a bad key).
   */
  async verify(presented: unknown): Promise<ApiKeyCheck> {
    const outcome = await verifyApiKey(presented, this.store, this.now());
    if (!outcome.ok) return outcome;
    const { record } = outcome;
    const identity: McpIdentity = {
      subject: record.subject,
      ...(record.tenant !== undefined && { tenant: record.tenant }),
      scopes: [...(record.scopes ?? [])],
      roles: [...(record.roles ?? [])],
      claims: { keyId: record.id },
      proof: 'api-key',
    };
    return { ok: true, identity };
  }
}

function withoutHash(record: ApiKeyRecord): ApiKeyInfo {
  const info: Partial<ApiKeyRecord> = { ...record };
  delete info.hash;
  return info as ApiKeyInfo;
}
