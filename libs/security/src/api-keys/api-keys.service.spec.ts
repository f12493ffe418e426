import { generateApiKey, hashApiKeySecret, parseApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { isApiKeyInputError, type ApiKeyInputError } from './api-key-input.error';
import { ApiKeys, type IssueApiKeyInput } from './api-keys.service';

/** A store over a plain map, recording its calls. */
class FakeStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  readonly gets: string[] = [];
  readonly saves: ApiKeyRecord[] = [];
  async get(id: string) {
    this.gets.push(id);
    return this.records.get(id);
  }
  async save(record: ApiKeyRecord) {
    this.saves.push(record);
    this.records.set(record.id, record);
  }
  async list() {
    return [...this.records.values()];
  }
}

const T0 = Date.parse('2027-01-01T00:00:00.000Z');

function setup() {
  const store = new FakeStore();
  const clock = { now: T0 };
  const apiKeys = new ApiKeys(store, { now: () => clock.now });
  return { store, clock, apiKeys };
}

async function inputError(promise: Promise<unknown>): Promise<ApiKeyInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isApiKeyInputError(error)).toBe(true);
  return error as ApiKeyInputError;
}

describe('ApiKeys', () => {
  describe('issue', () => {
    it('returns the key once and stores only the hash of its secret', async () => {
      const { store, apiKeys } = setup();
      const issued = await apiKeys.issue(
        {
          subject: 'svc-billing',
          tenant: 'acme',
          scopes: ['scrape:read'],
          roles: ['service'],
          name: 'billing',
          expiresAt: '2027-02-01T01:00:00+01:00',
        },
        'admin-alice',
      );
      const parsed = parseApiKey(issued.key)!;
      expect(issued.record).toEqual({
        id: parsed.id,
        subject: 'svc-billing',
        tenant: 'acme',
        scopes: ['scrape:read'],
        roles: ['service'],
        name: 'billing',
        createdAt: '2027-01-01T00:00:00.000Z',
        createdBy: 'admin-alice',
        expiresAt: '2027-02-01T00:00:00.000Z',
      });
      expect(issued.record).not.toHaveProperty('hash');
      const stored = store.records.get(parsed.id)!;
      expect(stored.hash).toBe(hashApiKeySecret(parsed.secret));
      expect(JSON.stringify([...store.records.values()])).not.toContain(parsed.secret);
    });

    it('accepts a Date as expiry and leaves out what was not given', async () => {
      const { apiKeys } = setup();
      const { record } = await apiKeys.issue({
        subject: 'svc',
        expiresAt: new Date(T0 + 60_000),
      });
      expect(Object.keys(record).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'subject']);
      expect(record.expiresAt).toBe('2027-01-01T00:01:00.000Z');
    });

    it('keeps its own copy of scopes and roles', async () => {
      const { store, apiKeys } = setup();
      const scopes = ['a:read'];
      const { record } = await apiKeys.issue({ subject: 'svc', scopes });
      scopes.push('admin');
      expect(store.records.get(record.id)!.scopes).toEqual(['a:read']);
    });

    it('never overwrites a key whose id it happens to draw again', async () => {
      const { store, apiKeys } = setup();
      const taken = generateApiKey();
      const original = store.get.bind(store);
      let first = true;
      // The first id drawn is reported as taken.
      store.get = async (id) => {
        if (!first) return original(id);
        first = false;
        store.gets.push(id);
        return { id, hash: taken.hash, subject: 'someone', createdAt: '2026-01-01T00:00:00Z' };
      };
      const { record } = await apiKeys.issue({ subject: 'svc' });
      expect(store.gets).toHaveLength(2);
      expect(record.id).toBe(store.gets[1]);
      expect(record.id).not.toBe(store.gets[0]);
      expect(store.saves).toHaveLength(1);
    });

    it.each<[string, unknown, string, string]>([
      ['no subject', { scopes: ['a'] }, 'subject', '"subject" is required'],
      ['an empty subject', { subject: '' }, 'subject', 'must be a non-empty string'],
      ['a subject that is not a string', { subject: 42 }, 'subject', 'must be a non-empty string'],
      ['an overlong name', { subject: 's', name: 'x'.repeat(257) }, 'name', 'at most 256'],
      ['scopes as a string', { subject: 's', scopes: 'a b' }, 'scopes', 'must be an array'],
      ['a scope with a space', { subject: 's', scopes: ['a b'] }, 'scopes', 'without white space'],
      ['65 scopes', { subject: 's', scopes: Array(65).fill('a') }, 'scopes', 'at most 64'],
      ['roles with a number', { subject: 's', roles: [1] }, 'roles', 'must be an array'],
      ['an unknown field', { subject: 's', scope: ['a'] }, 'scope', 'is not a known field'],
      [
        'an expiry that is no date',
        { subject: 's', expiresAt: 'tomorrow' },
        'expiresAt',
        'ISO 8601',
      ],
      ['an invalid Date', { subject: 's', expiresAt: new Date(NaN) }, 'expiresAt', 'ISO 8601'],
      [
        'an expiry in the past',
        { subject: 's', expiresAt: '2026-12-31T23:59:59Z' },
        'expiresAt',
        'must be in the future',
      ],
      [
        'an expiry now',
        { subject: 's', expiresAt: new Date(T0) },
        'expiresAt',
        'must be in the future',
      ],
      ['an array', [{ subject: 's' }], 'body', 'must be a JSON object'],
      ['null', null, 'body', 'must be a JSON object'],
    ])('refuses %s, naming the field', async (_, input, field, problem) => {
      const { store, apiKeys } = setup();
      const error = await inputError(apiKeys.issue(input as IssueApiKeyInput));
      expect(error.field).toBe(field);
      expect(error.message).toContain(problem);
      expect(store.saves).toEqual([]);
    });

    it('does not repeat the values it refuses', async () => {
      const { apiKeys } = setup();
      const secretLooking = generateApiKey().key;
      for (const input of [
        { subject: secretLooking, scopes: secretLooking },
        { subject: 's', name: `${secretLooking}${'x'.repeat(300)}` },
        { subject: 's', [secretLooking]: true },
      ]) {
        const error = await inputError(apiKeys.issue(input as unknown as IssueApiKeyInput));
        expect(error.message).not.toContain(secretLooking);
        expect(error.field).not.toContain(secretLooking);
      }
    });
  });

  describe('list', () => {
    it('lists every key, oldest first, without hashes or keys', async () => {
      const { clock, apiKeys } = setup();
      const first = await apiKeys.issue({ subject: 'one' });
      clock.now += 1_000;
      const second = await apiKeys.issue({ subject: 'two' });
      await apiKeys.revoke(first.record.id);
      const listed = await apiKeys.list();
      expect(listed.map((k) => k.subject)).toEqual(['one', 'two']);
      for (const info of listed) expect(info).not.toHaveProperty('hash');
      const text = JSON.stringify(listed);
      for (const { key } of [first, second]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(parseApiKey(key)!.secret);
      }
    });
  });

  describe('revoke', () => {
    it('marks the key revoked, with when and by whom, once', async () => {
      const { store, clock, apiKeys } = setup();
      const { record } = await apiKeys.issue({ subject: 'svc' });
      clock.now += 5_000;
      const revoked = await apiKeys.revoke(record.id, 'admin-alice');
      expect(revoked).toEqual({
        ...record,
        revokedAt: '2027-01-01T00:00:05.000Z',
        revokedBy: 'admin-alice',
      });
      expect(revoked).not.toHaveProperty('hash');
      clock.now += 5_000;
      await expect(apiKeys.revoke(record.id, 'admin-bob')).resolves.toEqual(revoked);
      expect(store.saves).toHaveLength(2);
    });

    it('answers undefined for an id no key has, and for a malformed id without a lookup', async () => {
      const { store, apiKeys } = setup();
      await expect(apiKeys.revoke(generateApiKey().id)).resolves.toBeUndefined();
      expect(store.gets).toHaveLength(1);
      await expect(apiKeys.revoke('../../etc')).resolves.toBeUndefined();
      await expect(apiKeys.revoke(undefined as unknown as string)).resolves.toBeUndefined();
      expect(store.gets).toHaveLength(1);
    });
  });

  describe('verify', () => {
    it('resolves with the identity a valid key proves', async () => {
      const { apiKeys } = setup();
      const { key, record } = await apiKeys.issue({
        subject: 'svc-billing',
        tenant: 'acme',
        scopes: ['scrape:read'],
        roles: ['service'],
      });
      await expect(apiKeys.verify(key)).resolves.toEqual({
        ok: true,
        identity: {
          subject: 'svc-billing',
          tenant: 'acme',
          scopes: ['scrape:read'],
          roles: ['service'],
          claims: { keyId: record.id },
          proof: 'api-key',
        },
      });
    });

    it('gives a key without scopes, roles or tenant empty lists and no tenant', async () => {
      const { apiKeys } = setup();
      const { key } = await apiKeys.issue({ subject: 'svc' });
      const check = await apiKeys.verify(key);
      expect(check.ok && check.identity).toEqual({
        subject: 'svc',
        scopes: [],
        roles: [],
        claims: { keyId: parseApiKey(key)!.id },
        proof: 'api-key',
      });
    });

    it('refuses a revoked key from the moment it is revoked', async () => {
      const { apiKeys } = setup();
      const { key, record } = await apiKeys.issue({ subject: 'svc' });
      await expect(apiKeys.verify(key)).resolves.toMatchObject({ ok: true });
      await apiKeys.revoke(record.id);
      await expect(apiKeys.verify(key)).resolves.toEqual({ ok: false, reason: 'revoked' });
    });

    it('refuses a key once its expiry has come', async () => {
      const { clock, apiKeys } = setup();
      const { key } = await apiKeys.issue({ subject: 'svc', expiresAt: new Date(T0 + 60_000) });
      clock.now = T0 + 59_999;
      await expect(apiKeys.verify(key)).resolves.toMatchObject({ ok: true });
      clock.now = T0 + 60_000;
      await expect(apiKeys.verify(key)).resolves.toEqual({ ok: false, reason: 'expired' });
    });

    it("refuses a forged secret, another key's secret, an unknown id and a malformed key", async () => {
      const { apiKeys } = setup();
      const one = await apiKeys.issue({ subject: 'one' });
      const two = await apiKeys.issue({ subject: 'two' });
      const idOne = parseApiKey(one.key)!.id;
      const forged = `rk_${idOne}_${parseApiKey(generateApiKey().key)!.secret}`;
      const spliced = `rk_${idOne}_${parseApiKey(two.key)!.secret}`;
      await expect(apiKeys.verify(forged)).resolves.toEqual({ ok: false, reason: 'mismatch' });
      await expect(apiKeys.verify(spliced)).resolves.toEqual({ ok: false, reason: 'mismatch' });
      await expect(apiKeys.verify(generateApiKey().key)).resolves.toEqual({
        ok: false,
        reason: 'unknown',
      });
      await expect(apiKeys.verify(`Bearer ${one.key}`)).resolves.toEqual({
        ok: false,
        reason: 'malformed',
      });
    });
  });
});
