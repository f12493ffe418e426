import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from './api-key';
import { loadApiKeysFile } from './api-keys-file';
import { isApiKeysFileError, type ApiKeysFileError } from './api-keys-file.error';

describe('loadApiKeysFile', () => {
  let dir: string;
  const a = generateApiKey();
  const b = generateApiKey();
  const good = {
    id: a.id,
    hash: a.hash,
    subject: 'svc-billing',
    tenant: 'acme',
    scopes: ['scrape:read'],
    roles: ['service'],
    name: 'billing job',
    createdAt: '2026-12-01T00:00:00Z',
    expiresAt: '2027-12-01T00:00:00.000+01:00',
  };
  const minimal = { id: b.id, hash: b.hash, subject: 'svc-other', createdAt: '2026-12-01T10:00Z' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-api-keys-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function file(name: string, content: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  async function failure(path: string): Promise<ApiKeysFileError> {
    const error = await loadApiKeysFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isApiKeysFileError(error)).toBe(true);
    return error as ApiKeysFileError;
  }

  it('reads an array of records', async () => {
    const path = await file('good.json', [good, minimal]);
    await expect(loadApiKeysFile(path)).resolves.toEqual([good, minimal]);
  });

  it('reads an empty array', async () => {
    await expect(loadApiKeysFile(await file('empty.json', []))).resolves.toEqual([]);
  });

  it('names a file it cannot read', async () => {
    const path = join(dir, 'missing.json');
    const error = await failure(path);
    expect(error.message).toBe(`API keys file ${path}: cannot be read (ENOENT)`);
    expect(error.file).toBe(path);
  });

  it('refuses a file that is not JSON without repeating its text', async () => {
    const path = await file('broken.json', `[{"hash": "${a.key}",`);
    const error = await failure(path);
    expect(error.message).toBe(`API keys file ${path}: is not valid JSON`);
  });

  it('refuses a file that is not an array', async () => {
    const error = await failure(await file('object.json', { keys: [good] }));
    expect(error.message).toContain('must hold a JSON array of API key records');
  });

  const key = generateApiKey().key;
  it.each<[string, unknown, string, string]>([
    ['a record that is not an object', 'svc', 'record 1: must be a JSON object', 'svc'],
    ['a hash of another format', { ...minimal, hash: 'md5:abc' }, '"hash" must be', 'md5:abc'],
    [
      'upper-case hex',
      { ...minimal, hash: b.hash.toUpperCase().replace('SHA256', 'sha256') },
      '"hash" must be',
      b.hash.slice(7).toUpperCase(),
    ],
    ['a key instead of a hash', { ...minimal, hash: key }, '"hash" holds a key, not its hash', key],
    ['no hash', { ...minimal, hash: undefined }, '"hash" is required', '"hash":'],
    ['no subject', { ...minimal, subject: undefined }, '"subject" is required', 'svc-other'],
    ['an empty subject', { ...minimal, subject: '' }, '"subject" must be a non-empty', '""'],
    ['a bad id', { ...minimal, id: 'short' }, '"id" must be 10 letters or digits', 'short'],
    [
      'a date that is not one',
      { ...minimal, createdAt: 'yesterday' },
      '"createdAt" must be an ISO 8601',
      'yesterday',
    ],
    [
      'a date without a zone',
      { ...minimal, createdAt: '2026-12-01T00:00:00' },
      '"createdAt" must be',
      '2026-12-01T00:00:00',
    ],
    [
      'month 13',
      { ...minimal, expiresAt: '2027-13-01T00:00:00Z' },
      '"expiresAt" must be',
      '2027-13',
    ],
    ['a bad revocation date', { ...minimal, revokedAt: 12 }, '"revokedAt" must be', '12'],
    ['scopes as a string', { ...minimal, scopes: 'a b' }, '"scopes" must be an array', 'a b'],
    ['a scope with a space', { ...minimal, scopes: ['a b'] }, '"scopes" must be an array', 'a b'],
    ['roles that are not strings', { ...minimal, roles: [1] }, '"roles" must be an array', '[1]'],
    ['a misspelt field', { ...minimal, scope: ['a'] }, '"scope" is not a known field', '["a"]'],
    [
      'a field named like a key',
      { ...minimal, [key]: 1 },
      '"(unexpected name)" is not a known field',
      key,
    ],
    ['an id used twice', { ...minimal, id: a.id }, '"id" is used by an earlier record', a.hash],
  ])(
    'refuses %s, naming the file, the index and the field, not the value',
    async (name, bad, expected, value) => {
      const path = await file(`${name.replace(/\W+/g, '-')}.json`, [good, bad]);
      const error = await failure(path);
      expect(error.message.startsWith(`API keys file ${path}: record 1: `)).toBe(true);
      expect(error.message).toContain(expected);
      expect(error.message).not.toContain(value);
      expect(error.index).toBe(1);
    },
  );
});
