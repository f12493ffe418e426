import type { ApiKeyRecord } from './api-key.store';
import { InMemoryApiKeyStore } from './in-memory-api-key.store';

const record = (id: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  hash: `sha256:${'0'.repeat(64)}`,
  subject: `svc-${id}`,
  scopes: ['a:read'],
  createdAt: '2026-12-01T00:00:00.000Z',
  ...extra,
});

describe('InMemoryApiKeyStore', () => {
  it('answers undefined for an id it does not hold', async () => {
    await expect(new InMemoryApiKeyStore().get('AAAAAAAAAA')).resolves.toBeUndefined();
  });

  it('saves, replaces and lists records', async () => {
    const store = new InMemoryApiKeyStore();
    await store.save(record('AAAAAAAAAA'));
    await store.save(record('BBBBBBBBBB'));
    await store.save(record('AAAAAAAAAA', { revokedAt: '2026-12-02T00:00:00.000Z' }));
    await expect(store.get('AAAAAAAAAA')).resolves.toEqual(
      record('AAAAAAAAAA', { revokedAt: '2026-12-02T00:00:00.000Z' }),
    );
    expect((await store.list()).map((r) => r.id)).toEqual(['AAAAAAAAAA', 'BBBBBBBBBB']);
  });

  it('starts with the records it is given (an API keys file)', async () => {
    const store = new InMemoryApiKeyStore([record('AAAAAAAAAA'), record('BBBBBBBBBB')]);
    await expect(store.get('BBBBBBBBBB')).resolves.toEqual(record('BBBBBBBBBB'));
  });

  it('copies records in and out, so that no caller changes a stored key in place', async () => {
    const given = record('AAAAAAAAAA');
    const store = new InMemoryApiKeyStore();
    await store.save(given);
    given.scopes!.push('admin');
    given.revokedAt = undefined;
    const read = (await store.get('AAAAAAAAAA'))!;
    expect(read.scopes).toEqual(['a:read']);
    read.scopes!.push('admin');
    (await store.list())[0].subject = 'someone-else';
    await expect(store.get('AAAAAAAAAA')).resolves.toEqual(record('AAAAAAAAAA'));
  });
});
