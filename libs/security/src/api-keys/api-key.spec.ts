import * as crypto from 'node:crypto';
import {
  API_KEY_HASH_PATTERN,
  apiKeySecretMatches,
  generateApiKey,
  hashApiKeySecret,
  parseApiKey,
  verifyApiKey,
} from './api-key';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';

// The real timingSafeEqual, watched: the comparison path must go through it.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

/** A store over a plain map, recording which ids were looked up. */
class FakeStore implements ApiKeyStore {
  readonly lookups: string[] = [];
  constructor(readonly records = new Map<string, ApiKeyRecord>()) {}
  async get(id: string) {
    this.lookups.push(id);
    return this.records.get(id);
  }
  async save(record: ApiKeyRecord) {
    this.records.set(record.id, record);
  }
  async list() {
    return [...this.records.values()];
  }
}

const NOW = Date.parse('2027-01-01T00:00:00.000Z');
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function record(id: string, hash: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { id, hash, subject: `svc-${id}`, createdAt: '2026-12-01T00:00:00.000Z', ...extra };
}

function storeWith(...keys: { id: string; hash: string; extra?: Partial<ApiKeyRecord> }[]) {
  return new FakeStore(new Map(keys.map((k) => [k.id, record(k.id, k.hash, k.extra)])));
}

describe('generateApiKey', () => {
  it('makes rk_<10 base62>_<43 base64url> keys whose hash is sha256 of the secret text', () => {
    const { key, id, hash } = generateApiKey();
    expect(key).toMatch(/^rk_[0-9A-Za-z]{10}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key)!;
    expect(parsed.id).toBe(id);
    expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
    const expected = crypto.createHash('sha256').update(parsed.secret).digest('hex');
    expect(hash).toBe(`sha256:${expected}`);
    expect(hash).toMatch(API_KEY_HASH_PATTERN);
    expect(hashApiKeySecret(parsed.secret)).toBe(hash);
  });

  it('never repeats an id or a secret, and the hash holds neither the key nor the secret', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => parseApiKey(k.key)!.secret)).size).toBe(200);
    for (const k of keys) expect(k.hash).not.toContain(parseApiKey(k.key)!.secret);
  });

  it('draws ids over the whole base62 alphabet', () => {
    const seen = new Set(Array.from({ length: 300 }, () => generateApiKey().id).join(''));
    // 3,000 uniform draws over 62 characters miss one with probability ~ 62·e^-48.
    expect(seen.size).toBe(62);
  });
});

describe('parseApiKey', () => {
  // Fixed parts, so that every malformed variant below is malformed whatever the draw.
  const id = 'AbCdEf0123';
  const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7)).toString('base64url');
  const key = `rk_${id}_${secret}`;

  it('splits a well-formed key', () => {
    expect(parseApiKey(key)).toEqual({ id, secret });
  });

  const lastChar = secret[42];
  // The last of 43 base64url characters carries 2 unused bits: flipping the lowest one spells the
  // same 32 bytes differently.
  const twin = BASE64URL[BASE64URL.indexOf(lastChar) ^ 1];

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { key }],
    ['an array', [key]],
    ['an empty string', ''],
    ['the prefix alone', 'rk_'],
    ['another prefix', `rx_${id}_${secret}`],
    ['an upper-case prefix', `RK_${id}_${secret}`],
    ['a short id', `rk_${id.slice(1)}_${secret}A`],
    ['a long id', `rk_${id}A_${secret.slice(1)}`],
    ['an id with a dash', `rk_${id.slice(0, 9)}-_${secret}`],
    ['a missing separator', `rk_${id}${secret}A`],
    ['a short secret', `rk_${id}_${secret.slice(1)}`],
    ['a long secret', `${key}A`],
    ['a secret with padding', `rk_${id}_${secret.slice(0, 42)}=`],
    ['a secret in base64, not base64url', `rk_${id}_${secret.slice(0, 42)}+`],
    ['a non-canonical spelling of the secret', `rk_${id}_${secret.slice(0, 42)}${twin}`],
    ['leading white space', ` ${key}`],
    ['a trailing newline', `${key}\n`],
    ['a Bearer prefix', `Bearer ${key}`],
    ['a non-ASCII lookalike', key.replace(/[a-z]/, 'а')],
    ['a very long string', 'rk_'.repeat(100_000)],
  ])('refuses %s without throwing', (_, presented) => {
    expect(parseApiKey(presented)).toBeUndefined();
  });
});

describe('apiKeySecretMatches', () => {
  const a = generateApiKey();
  const b = generateApiKey();
  const secretA = parseApiKey(a.key)!.secret;
  const compare = jest.mocked(crypto.timingSafeEqual);

  beforeEach(() => compare.mockClear());

  it('matches the right secret through timingSafeEqual on two 32-byte digests', () => {
    expect(apiKeySecretMatches(a.hash, secretA)).toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);
    const [stored, presented] = compare.mock.calls[0] as [Buffer, Buffer];
    expect(stored).toHaveLength(32);
    expect(presented).toHaveLength(32);
  });

  it('refuses another secret through the same comparison', () => {
    expect(apiKeySecretMatches(b.hash, secretA)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['empty', ''],
    ['without scheme', a.hash.slice(7)],
    ['upper-case hex', a.hash.toUpperCase().replace('SHA256', 'sha256')],
    ['too short', a.hash.slice(0, -2)],
    ['another scheme', a.hash.replace('sha256', 'sha512')],
  ])('never matches a stored hash that is not well formed (%s), and still compares', (_, hash) => {
    expect(apiKeySecretMatches(hash, secretA)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
  });
});

describe('verifyApiKey', () => {
  const a = generateApiKey();
  const b = generateApiKey();
  const secretOf = (key: string) => parseApiKey(key)!.secret;

  it('accepts a valid key and resolves with its record', async () => {
    const store = storeWith(a);
    await expect(verifyApiKey(a.key, store, NOW)).resolves.toEqual({
      ok: true,
      record: record(a.id, a.hash),
    });
  });

  it('refuses a malformed key without asking the store', async () => {
    const store = storeWith(a);
    await expect(verifyApiKey(`${a.key} `, store, NOW)).resolves.toEqual({
      ok: false,
      reason: 'malformed',
    });
    await expect(verifyApiKey(undefined, store, NOW)).resolves.toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(store.lookups).toEqual([]);
  });

  it('refuses a well-formed key whose id no key has', async () => {
    await expect(verifyApiKey(b.key, storeWith(a), NOW)).resolves.toEqual({
      ok: false,
      reason: 'unknown',
    });
  });

  it('refuses a record the store answers under another id', async () => {
    const store = new FakeStore(new Map([[a.id, record(b.id, a.hash)]]));
    await expect(verifyApiKey(a.key, store, NOW)).resolves.toEqual({
      ok: false,
      reason: 'unknown',
    });
  });

  describe('attacks', () => {
    it('refuses a revoked key', async () => {
      const store = storeWith({ ...a, extra: { revokedAt: '2026-12-15T00:00:00.000Z' } });
      await expect(verifyApiKey(a.key, store, NOW)).resolves.toEqual({
        ok: false,
        reason: 'revoked',
      });
    });

    it('refuses an expired key, from the instant of its expiry on', async () => {
      const past = storeWith({ ...a, extra: { expiresAt: '2026-12-31T23:59:59.000Z' } });
      await expect(verifyApiKey(a.key, past, NOW)).resolves.toEqual({
        ok: false,
        reason: 'expired',
      });
      const atNow = storeWith({ ...a, extra: { expiresAt: new Date(NOW).toISOString() } });
      await expect(verifyApiKey(a.key, atNow, NOW)).resolves.toEqual({
        ok: false,
        reason: 'expired',
      });
      const later = storeWith({ ...a, extra: { expiresAt: new Date(NOW + 1).toISOString() } });
      await expect(verifyApiKey(a.key, later, NOW)).resolves.toMatchObject({ ok: true });
    });

    it('refuses a key whose expiry is not a date (fails closed)', async () => {
      const store = storeWith({ ...a, extra: { expiresAt: 'soon' } });
      await expect(verifyApiKey(a.key, store, NOW)).resolves.toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('refuses the right id with a wrong secret', async () => {
      const forged = `rk_${a.id}_${crypto.randomBytes(32).toString('base64url')}`;
      await expect(verifyApiKey(forged, storeWith(a, b), NOW)).resolves.toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });

    it("refuses another key's valid secret presented with this id", async () => {
      const spliced = `rk_${a.id}_${secretOf(b.key)}`;
      await expect(verifyApiKey(spliced, storeWith(a, b), NOW)).resolves.toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });

    it('tells whoever holds only an id nothing about revocation or expiry', async () => {
      const store = storeWith({
        ...a,
        extra: { revokedAt: '2026-12-15T00:00:00.000Z', expiresAt: '2026-12-16T00:00:00.000Z' },
      });
      const guess = `rk_${a.id}_${secretOf(b.key)}`;
      await expect(verifyApiKey(guess, store, NOW)).resolves.toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });
  });

  it('rejects (an outage, not a refusal) when the store fails', async () => {
    const store = storeWith(a);
    store.get = () => Promise.reject(new Error('down'));
    await expect(verifyApiKey(a.key, store, NOW)).rejects.toThrow('down');
  });
});
