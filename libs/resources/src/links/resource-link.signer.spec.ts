import { isResourceLinkKeyError } from '../errors/resource-link-key.error';
import { ResourceLinkSigner } from './resource-link.signer';

const SECRET_1 = 'k1-secret-that-is-at-least-32-bytes-long!';
const SECRET_2 = 'k2-another-secret-at-least-32-bytes-long!';
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const ID_2 = 'BBBBBBBBBBBBBBBBBBBBBB';
const NOW = Date.parse('2027-01-01T00:00:00Z');
const alice = { subject: 'alice', tenant: 'acme' };

/** `uri` with query parameter `name` set to `value` (or removed). */
function withParam(uri: string, name: string, value: string | undefined): string {
  const [base, query] = uri.split('?');
  const params = query.split('&').filter((p) => !p.startsWith(`${name}=`));
  if (value !== undefined) params.push(`${name}=${encodeURIComponent(value)}`);
  return `${base}?${params.join('&')}`;
}
const param = (uri: string, name: string) =>
  decodeURIComponent(new RegExp(`[?&]${name}=([^&]*)`).exec(uri)![1]);

describe('ResourceLinkSigner', () => {
  const signer = new ResourceLinkSigner([{ id: 'k1', secret: SECRET_1 }]);
  const link = signer.sign({ id: ID, owner: alice, expiresAt: NOW + 60_000 });

  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('writes rampart://resources/<id> with owner, expiry, key id and a base64url HMAC', () => {
    expect(link).toMatch(
      new RegExp(
        `^rampart://resources/${ID}\\?sub=alice&ten=acme&exp=${NOW + 60_000}&kid=k1&sig=[A-Za-z0-9_-]{43}$`,
      ),
    );
    expect(signer.verify(link)).toEqual({
      valid: true,
      claims: { id: ID, owner: alice, expiresAt: NOW + 60_000, kid: 'k1' },
    });
  });

  it('writes no tenant for an owner without one, and no owner for the anonymous one', () => {
    const solo = signer.sign({ id: ID, owner: { subject: 'bob' }, expiresAt: NOW + 1 });
    expect(solo).not.toContain('ten=');
    expect(signer.verify(solo)).toMatchObject({
      valid: true,
      claims: { owner: { subject: 'bob' } },
    });
    const anonymous = signer.sign({ id: ID, owner: null, expiresAt: NOW + 1 });
    expect(anonymous).toMatch(new RegExp(`^rampart://resources/${ID}\\?exp=`));
    expect(signer.verify(anonymous)).toMatchObject({ valid: true, claims: { owner: null } });
  });

  it('encodes subjects and tenants with reserved characters, and signs what they decode to', () => {
    const owner = { subject: 'user@example.com&sub=x', tenant: 'a/b?c' };
    const uri = signer.sign({ id: ID, owner, expiresAt: NOW + 1 });
    expect(signer.verify(uri)).toMatchObject({ valid: true, claims: { owner } });
  });

  it.each([
    ['id changed', (u: string) => u.replace(ID, ID_2)],
    ['subject changed', (u: string) => withParam(u, 'sub', 'mallory')],
    ['tenant changed', (u: string) => withParam(u, 'ten', 'evil-corp')],
    ['tenant removed', (u: string) => withParam(u, 'ten', undefined)],
    [
      'owner removed, to pass as anonymous',
      (u: string) => withParam(withParam(u, 'sub', undefined), 'ten', undefined),
    ],
    ['expiry extended', (u: string) => withParam(u, 'exp', String(NOW + 3_600_000))],
    ['key id changed to another known key', (u: string) => withParam(u, 'kid', 'k2')],
    [
      'one character of the signature changed',
      (u: string) => {
        const sig = param(u, 'sig');
        return withParam(u, 'sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
      },
    ],
  ])('refuses a tampered link (%s) as a bad signature', (_what, tamper) => {
    const both = new ResourceLinkSigner([
      { id: 'k1', secret: SECRET_1 },
      { id: 'k2', secret: SECRET_2 },
    ]);
    expect(both.verify(tamper(link))).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it('refuses the same signature spelled with other trailing bits', () => {
    const sig = param(link, 'sig');
    // 43 characters carry 258 bits for 256: decoding drops the last character's low 2 bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const twin = sig.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(signer.verify(withParam(link, 'sig', twin))).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });

  it('refuses a link at its expiry and after', () => {
    jest.setSystemTime(NOW + 59_999);
    expect(signer.verify(link).valid).toBe(true);
    jest.setSystemTime(NOW + 60_000);
    expect(signer.verify(link)).toEqual({ valid: false, reason: 'expired' });
  });

  it('refuses a link signed with a key it does not have', () => {
    const other = new ResourceLinkSigner([{ id: 'k9', secret: SECRET_2 }]);
    expect(other.verify(link)).toEqual({ valid: false, reason: 'unknown-key' });
    // The same key id with another secret (a replica configured differently).
    const impostor = new ResourceLinkSigner([{ id: 'k1', secret: SECRET_2 }]);
    expect(impostor.verify(link)).toEqual({ valid: false, reason: 'bad-signature' });
  });

  it.each([
    ['another scheme', `page://${ID}?exp=1&kid=k1&sig=x`],
    ['no query', `rampart://resources/${ID}`],
    ['a short id', link.replace(ID, 'AAAA')],
    ['no signature', withParam(link, 'sig', undefined)],
    ['no expiry', withParam(link, 'exp', undefined)],
    ['no key id', withParam(link, 'kid', undefined)],
    ['an expiry with a leading zero', withParam(link, 'exp', `0${NOW + 60_000}`)],
    ['a repeated parameter', `${link}&sub=mallory`],
    ['an unknown parameter', `${link}&admin=1`],
    ['a tenant without a subject', withParam(link, 'sub', undefined)],
    ['bad percent-encoding', withParam(link, 'sub', undefined).replace('?', '?sub=%E0%A4%A&')],
  ])('refuses a malformed link (%s)', (_what, uri) => {
    expect(signer.verify(uri)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('rotates keys: the first signs, every one verifies', () => {
    const before = new ResourceLinkSigner([{ id: 'k1', secret: SECRET_1 }]);
    const old = before.sign({ id: ID, owner: alice, expiresAt: NOW + 60_000 });
    const rotated = new ResourceLinkSigner([
      { id: 'k2', secret: SECRET_2 },
      { id: 'k1', secret: SECRET_1 },
    ]);
    expect(rotated.signingKeyId).toBe('k2');
    expect(rotated.verify(old)).toMatchObject({ valid: true, claims: { kid: 'k1' } });
    const fresh = rotated.sign({ id: ID, owner: alice, expiresAt: NOW + 60_000 });
    expect(param(fresh, 'kid')).toBe('k2');
    expect(rotated.verify(fresh)).toMatchObject({ valid: true, claims: { kid: 'k2' } });
    // Old replicas, not rotated yet, do not know k2; once k1 is removed, its links end.
    expect(before.verify(fresh)).toEqual({ valid: false, reason: 'unknown-key' });
    const after = new ResourceLinkSigner([{ id: 'k2', secret: SECRET_2 }]);
    expect(after.verify(old)).toEqual({ valid: false, reason: 'unknown-key' });
  });

  it('refuses secrets shorter than 32 bytes at construction, naming the key but not the secret', () => {
    const short = 'x'.repeat(31);
    const error = (() => {
      try {
        new ResourceLinkSigner([
          { id: 'good', secret: SECRET_1 },
          { id: 'weak', secret: short },
        ]);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(isResourceLinkKeyError(error)).toBe(true);
    expect(error!.name).toBe('ResourceLinkKeyError');
    expect(error!.message).toContain('"weak"');
    expect(error!.message).toContain('31 bytes');
    expect(error!.message).not.toContain(short);
    // Bytes count, not characters: 16 two-byte characters are 32 bytes.
    expect(() => new ResourceLinkSigner([{ id: 'k', secret: 'é'.repeat(16) }])).not.toThrow();
    expect(() => new ResourceLinkSigner([{ id: 'k', secret: Buffer.alloc(32) }])).not.toThrow();
  });

  it.each([
    ['no keys', []],
    ['a bad key id', [{ id: 'a b', secret: SECRET_1 }]],
    [
      'a repeated key id',
      [
        { id: 'k', secret: SECRET_1 },
        { id: 'k', secret: SECRET_2 },
      ],
    ],
    ['a secret that is not a string or bytes', [{ id: 'k', secret: 42 as unknown as string }]],
  ])('refuses %s with a ResourceLinkKeyError', (_what, keys) => {
    expect(() => new ResourceLinkSigner(keys)).toThrow(
      expect.objectContaining({ name: 'ResourceLinkKeyError' }),
    );
  });

  it('makes a random key, with a warning, when none is configured', () => {
    const warn = jest.fn();
    const a = ResourceLinkSigner.ephemeral({ warn });
    const b = ResourceLinkSigner.ephemeral({ warn });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/will not survive a restart/));
    expect(a.signingKeyId).toMatch(/^ephemeral-[0-9a-f]{8}$/);
    const uri = a.sign({ id: ID, owner: alice, expiresAt: NOW + 1_000 });
    expect(a.verify(uri).valid).toBe(true);
    expect(b.verify(uri).valid).toBe(false); // another process's key
  });
});
