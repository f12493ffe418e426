import { ForbiddenException, Logger } from '@nestjs/common';
import { McpProtocolError, type McpIdentity } from '@rampart/core';
import type { IncomingMessage } from 'node:http';
import { generateApiKey, parseApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import {
  createApiKeyAdminHandler,
  type ApiKeyAdminAuthorize,
  type ApiKeyAdminBody,
} from './api-key-admin.handler';
import { ApiKeyStoreUnavailableError } from './api-key-store-unavailable.error';
import { ApiKeys } from './api-keys.service';

/** A store over a plain map that counts every access. */
class FakeStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  accesses = 0;
  async get(id: string) {
    this.accesses++;
    return this.records.get(id);
  }
  async save(record: ApiKeyRecord) {
    this.accesses++;
    this.records.set(record.id, record);
  }
  async list() {
    this.accesses++;
    return [...this.records.values()];
  }
}

const ADMIN: McpIdentity = { subject: 'admin-alice', scopes: ['rampart:admin'] };
const json = { 'content-type': 'application/json' };

/** Lets in callers whose identity (chosen by the test) has the admin scope. */
function requireAdmin(who: () => McpIdentity | undefined): ApiKeyAdminAuthorize {
  return () => {
    const identity = who();
    if (identity && !identity.scopes?.includes('rampart:admin'))
      throw new ForbiddenException('This needs the scope rampart:admin');
    return identity;
  };
}

function setup(who: () => McpIdentity | undefined = () => ADMIN) {
  const store = new FakeStore();
  const apiKeys = new ApiKeys(store);
  const handler = createApiKeyAdminHandler(apiKeys, requireAdmin(who));
  const call = (
    method: string,
    options: { id?: string; body?: ApiKeyAdminBody; headers?: Record<string, string> } = {},
  ) =>
    handler({
      method,
      id: options.id,
      body: options.body,
      raw: { headers: options.headers ?? (method === 'POST' ? json : {}) } as IncomingMessage,
    });
  return { store, apiKeys, call };
}

describe('createApiKeyAdminHandler', () => {
  it('issues a key: 201 with the key, shown once, and the record without its hash', async () => {
    const { store, call } = setup();
    const answer = await call('POST', {
      body: { value: { subject: 'svc-billing', scopes: ['scrape:read'] } },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { key, record } = answer.body as { key: string; record: Record<string, unknown> };
    expect(parseApiKey(key)?.id).toBe(record.id);
    expect(record).toMatchObject({
      subject: 'svc-billing',
      scopes: ['scrape:read'],
      createdBy: 'admin-alice',
    });
    expect(record).not.toHaveProperty('hash');
    expect(store.records.size).toBe(1);
  });

  it('lists keys without hashes or keys', async () => {
    const { apiKeys, call } = setup();
    const { key } = await apiKeys.issue({ subject: 'svc' });
    const answer = await call('GET');
    expect(answer.status).toBe(200);
    const { keys } = answer.body as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('hash');
    expect(JSON.stringify(answer.body)).not.toContain(parseApiKey(key)!.secret);
  });

  it('revokes a key, recording who did, and answers 404 for an unknown id', async () => {
    const { apiKeys, call } = setup();
    const { record } = await apiKeys.issue({ subject: 'svc' });
    const answer = await call('DELETE', { id: record.id });
    expect(answer.status).toBe(200);
    expect((answer.body as { record: ApiKeyRecord }).record).toMatchObject({
      id: record.id,
      revokedBy: 'admin-alice',
    });
    const unknown = await call('DELETE', { id: generateApiKey().id });
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'No API key has this id' },
    });
  });

  describe('refuses callers who may not administer keys, before anything else', () => {
    const requests: [string, { id?: string; body?: ApiKeyAdminBody }][] = [
      ['POST', { body: { value: { subject: 'intruder', scopes: ['rampart:admin'] } } }],
      ['GET', {}],
      ['DELETE', { id: 'AAAAAAAAAA' }],
      ['POST', { body: { error: 'parse' } }],
    ];

    it.each(requests)('without credentials: %s answers 401', async (method, options) => {
      const { store, call } = setup(() => undefined);
      const answer = await call(method, options);
      expect(answer).toMatchObject({
        status: 401,
        body: { error: 'unauthorized', message: 'Authentication required' },
      });
      expect(store.accesses).toBe(0);
    });

    it.each(requests)('without the admin scope: %s answers 403', async (method, options) => {
      const { store, call } = setup(() => ({ subject: 'svc', scopes: ['scrape:read'] }));
      const answer = await call(method, options);
      expect(answer).toMatchObject({
        status: 403,
        body: { error: 'forbidden', message: 'This needs the scope rampart:admin' },
      });
      expect(store.accesses).toBe(0);
    });
  });

  it("answers with the status, message and headers of authorize's McpProtocolError", async () => {
    const store = new FakeStore();
    const handler = createApiKeyAdminHandler(new ApiKeys(store), () => {
      throw new McpProtocolError(-32000, 'Invalid token', undefined, 401, 2_500, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    });
    const answer = await handler({ method: 'GET', raw: { headers: {} } as IncomingMessage });
    expect(answer).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'Invalid token' },
      headers: {
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer error="invalid_token"',
        'retry-after': '3',
      },
    });
  });

  it('answers 500 without detail when authorize fails unexpectedly', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const handler = createApiKeyAdminHandler(new ApiKeys(new FakeStore()), () => {
        throw new Error('db password is hunter2');
      });
      const answer = await handler({ method: 'GET', raw: { headers: {} } as IncomingMessage });
      expect(answer).toMatchObject({
        status: 500,
        body: { error: 'internal', message: 'Internal error' },
      });
      expect(JSON.stringify(answer)).not.toContain('hunter2');
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
    }
  });

  it.each<[string, ApiKeyAdminBody | undefined, Record<string, string>, number, string]>([
    [
      'a form',
      { value: { subject: 's' } },
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'unsupported_media_type',
    ],
    ['no content type', undefined, {}, 415, 'unsupported_media_type'],
    [
      'a body the adapter refused as media type',
      { error: 'media-type' },
      json,
      415,
      'unsupported_media_type',
    ],
    ['a body too large', { error: 'too-large' }, json, 413, 'too_large'],
    ['a body that is not JSON', { error: 'parse' }, json, 400, 'invalid_request'],
    ['no body', undefined, json, 400, 'invalid_request'],
  ])('refuses %s', async (_, body, headers, status, error) => {
    const { store, call } = setup();
    const answer = await call('POST', { body, headers });
    expect(answer).toMatchObject({ status, body: { error } });
    expect(store.records.size).toBe(0);
  });

  it('accepts application/json with a charset and +json types', async () => {
    const { call } = setup();
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json'])
      expect(
        (
          await call('POST', {
            body: { value: { subject: 's' } },
            headers: { 'content-type': type },
          })
        ).status,
      ).toBe(201);
  });

  it('answers 400 naming the field of an invalid body, without repeating its values', async () => {
    const { call } = setup();
    const key = generateApiKey().key;
    const cases: [unknown, string][] = [
      [{ scopes: ['a'] }, 'subject'],
      [{ subject: 's', scopes: key }, 'scopes'],
      [{ subject: 's', expiresAt: key }, 'expiresAt'],
      [{ subject: 's', name: `${key}${'x'.repeat(300)}` }, 'name'],
      [{ subject: 's', hash: 'sha256:00' }, 'hash'],
      [[key], 'body'],
    ];
    for (const [value, field] of cases) {
      const answer = await call('POST', { body: { value } });
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request', field } });
      expect((answer.body as { message: string }).message).toContain(`"${field}"`);
      expect(JSON.stringify(answer)).not.toContain(key);
    }
  });

  it('answers 503 while the store is unavailable', async () => {
    const store = new FakeStore();
    store.list = () => Promise.reject(new ApiKeyStoreUnavailableError('no answer within 1000 ms'));
    const handler = createApiKeyAdminHandler(new ApiKeys(store), () => ADMIN);
    const answer = await handler({ method: 'GET', raw: { headers: {} } as IncomingMessage });
    expect(answer).toMatchObject({
      status: 503,
      body: { error: 'unavailable' },
      headers: { 'retry-after': '1' },
    });
  });

  it('answers 405 to other methods', async () => {
    const { call } = setup();
    expect(await call('PUT')).toMatchObject({ status: 405, headers: { allow: 'GET, POST' } });
    expect(await call('GET', { id: 'AAAAAAAAAA' })).toMatchObject({
      status: 405,
      headers: { allow: 'DELETE' },
    });
  });
});
