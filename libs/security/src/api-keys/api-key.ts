import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';

/** What every Rampart API key starts with, so that scanners and people can recognise one. */
export const API_KEY_PREFIX = 'rk_';

const ID_LENGTH = 10;
const SECRET_BYTES = 32;
/** Length of 32 bytes in unpadded base64url. */
const SECRET_LENGTH = 43;
const KEY_LENGTH = API_KEY_PREFIX.length + ID_LENGTH + 1 + SECRET_LENGTH;
const KEY_PATTERN = /^rk_([0-9A-Za-z]{10})_([A-Za-z0-9_-]{43})$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HASH_SCHEME = 'sha256:';

/** The public id of a key: 10 letters and digits. */
export const API_KEY_ID_PATTERN = /^[0-9A-Za-z]{10}$/;

/** A stored hash: `sha256:` and 64 lower-case hex digits. */
export const API_KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** A key just made: the key to hand out once, its public id, and the hash to store. */
export interface GeneratedApiKey {
  /** `rk_<id>_<secret>`: give it to the client once; it is never stored. */
  key: string;
  /** The public id (the lookup part). */
  id: string;
  /** `sha256:<hex>` of the secret part: what the store keeps. */
  hash: string;
}

/** The two parts of a well-formed key. */
export interface ParsedApiKey {
  id: string;
  /** The secret part, base64url, exactly as it appears in the key. */
  secret: string;
}

/**
 * Why a presented key was refused:
 * - `malformed`: not of the shape `rk_<10 letters or digits>_<43 base64url characters>`;
 * - `unknown`: no key has that id;
 * - `mismatch`: the id exists but the secret is not its secret;
 * - `expired`: right secret, past its `expiresAt`;
 * - `revoked`: right secret, revoked.
 */
export type ApiKeyRefusalReason = 'malformed' | 'unknown' | 'mismatch' | 'expired' | 'revoked';

/** The outcome of {@link verifyApiKey}. */
export type ApiKeyVerification =
  { ok: true; record: ApiKeyRecord } | { ok: false; reason: ApiKeyRefusalReason };

/**
 * Makes a new key: a random public id (10 base62 characters, about 59 bits) and a secret of 32
 * random bytes (base64url), with the hash of the secret to store.
 *
 * @example
 * ```ts
 * const { key, id, hash } = generateApiKey();
 * await store.save({ id, hash, subject: 'svc-billing', createdAt: new Date().toISOString() });
 * console.log(key); // rk_3fZ9qLm0Xa_… — shown once
 * ```
 */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBase62(ID_LENGTH);
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { key: `${API_KEY_PREFIX}${id}_${secret}`, id, hash: hashApiKeySecret(secret) };
}

/**
 * Splits a presented key into its id and secret, or returns `undefined` when it is not exactly a
 * key's shape (wrong prefix, length or alphabet, or a secret that is not the canonical base64url
 * of 32 bytes). Never throws, whatever it is given.
 *
 * @example
 * ```ts
 * parseApiKey(req.headers['x-api-key']); // { id: '3fZ9qLm0Xa', secret: '…' } or undefined
 * ```
 */
export function parseApiKey(presented: unknown): ParsedApiKey | undefined {
  if (typeof presented !== 'string' || presented.length !== KEY_LENGTH) return undefined;
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const [, id, secret] = match;
  // 43 characters carry 258 bits; only one spelling of each 32 bytes is accepted.
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return undefined;
  return { id, secret };
}

/**
 * The stored form of a secret: `sha256:` and the hex SHA-256 of the secret part, as it appears in
 * the key (its base64url text), so that `printf %s "$SECRET" | sha256sum` gives the same digits.
 *
 * A plain hash is enough here, unlike for passwords: the secret is 256 random bits, so a stolen
 * hash cannot be reversed by guessing, and a slow KDF (bcrypt, scrypt, argon2) would only make
 * every request pay for a protection the secret does not need.
 *
 * @example
 * ```ts
 * hashApiKeySecret(parseApiKey(key)!.secret); // 'sha256:9f86d0…'
 * ```
 */
export function hashApiKeySecret(secret: string): string {
  return `${HASH_SCHEME}${createHash('sha256').update(secret, 'utf8').digest('hex')}`;
}

/**
 * Whether `secret` hashes to `storedHash`, compared in constant time (`timingSafeEqual` on two
 * 32-byte digests). A stored hash that is not well formed never matches.
 *
 * @example
 * ```ts
 * apiKeySecretMatches(record.hash, parsed.secret); // true or false
 * ```
 */
export function apiKeySecretMatches(storedHash: string, secret: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const wellFormed = typeof storedHash === 'string' && API_KEY_HASH_PATTERN.test(storedHash);
  const stored = wellFormed
    ? Buffer.from(storedHash.slice(HASH_SCHEME.length), 'hex')
    : Buffer.alloc(presented.length);
  // Both buffers are 32 bytes, so the comparison runs whatever the stored hash is.
  return timingSafeEqual(stored, presented) && wellFormed;
}

/**
 * Checks a presented key against a store. The secret is checked before the key's state, so that
 * whoever holds only an id learns nothing about whether it is revoked or expired. A store that
 * fails rejects: that is an outage, not a refusal.
 *
 * @param now the time to judge expiry by, in milliseconds since the epoch
 *
 * @example
 * ```ts
 * const outcome = await verifyApiKey(req.headers['x-api-key'], store, Date.now());
 * if (!outcome.ok) audit('api-key', outcome.reason); // never the key
 * ```
 */
export async function verifyApiKey(
  presented: unknown,
  store: ApiKeyStore,
  now: number = Date.now(),
): Promise<ApiKeyVerification> {
  const parsed = parseApiKey(presented);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const record = await store.get(parsed.id);
  if (!record || record.id !== parsed.id) return { ok: false, reason: 'unknown' };
  if (!apiKeySecretMatches(record.hash, parsed.secret)) return { ok: false, reason: 'mismatch' };
  if (record.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
  // An expiry that is not a date counts as past: fail closed.
  if (record.expiresAt !== undefined && !(Date.parse(record.expiresAt) > now))
    return { ok: false, reason: 'expired' };
  return { ok: true, record };
}

/** `length` characters of base62, each uniformly random (bytes ≥ 248 are drawn again). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue; // 248 = 4 × 62: keeps `byte % 62` unbiased
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
