import { Logger } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BAD_KEY, EPHEMERAL_KEY, SHORT_SECRET } from '../errors/messages.constant';
import { ResourceLinkKeyError } from '../errors/resource-link-key.error';
import { MIN_SECRET_BYTES, RESOURCE_URI_PREFIX } from '../resources.constants';
import type { ResourceOwner } from '../storage/resource.store';
import { RESOURCE_ID_PATTERN } from '../storage/store-limits';

/**
 * A key that signs resource links. The first key of `ResourcesModule` `keys` signs; every key
 * verifies the links that name its id, so a new key goes first and the old one stays after it
 * until the links it signed have expired.
 *
 * @example
 * ```ts
 * const keys: ResourceLinkKey[] = [
 *   { id: '2027-01', secret: process.env.RESOURCE_LINK_SECRET! },
 *   { id: '2026-12', secret: process.env.RESOURCE_LINK_SECRET_PREVIOUS! },
 * ];
 * ```
 */
export interface ResourceLinkKey {
  /** Key id, carried by every link it signs: 1 to 32 of `A-Z a-z 0-9 . _ -`. */
  id: string;
  /** The secret: 32 bytes or more (a string counts its UTF-8 bytes). */
  secret: string | Uint8Array;
}

/** What a resource link asserts, and its signature covers. */
export interface ResourceLinkClaims {
  /** The resource's id in the store. */
  id: string;
  /** Who the link is for; `null` for the anonymous owner. */
  owner: ResourceOwner | null;
  /** When the link expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** Id of the key that signed it. */
  kid: string;
}

/** Why a link was refused, for logs and tests only: callers always get the same not-found. */
export type ResourceLinkRefusal = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired';

/** The outcome of {@link ResourceLinkSigner.verify}. */
export type ResourceLinkVerdict =
  { valid: true; claims: ResourceLinkClaims } | { valid: false; reason: ResourceLinkRefusal };

const KID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EXPIRY_PATTERN = /^[1-9][0-9]{0,14}$/;
/** The query parameters of a link, in the order links are written. */
const PARAMS = ['sub', 'ten', 'exp', 'kid', 'sig'] as const;
type Param = (typeof PARAMS)[number];
/** Domain separation: a signature of a link means nothing anywhere else. */
const PURPOSE = 'rampart.resource-link.v1';

/**
 * Signs and verifies resource links:
 *
 * ```
 * rampart://resources/<id>?sub=<subject>&ten=<tenant>&exp=<ms>&kid=<key id>&sig=<signature>
 * ```
 *
 * `sig` is the base64url HMAC-SHA256, under the key `kid`, of the id, the owner's subject and
 * tenant, the expiry (milliseconds since the epoch) and the key id (a JSON array, so no field can
 * run into the next). `sub` and `ten` are absent for an anonymous owner, `ten` for an owner
 * without tenant. Verification checks the shape, the key, the signature (constant-time) and the
 * expiry; whether the reader may use the link is the caller's business (`Offloader`).
 *
 * @example
 * ```ts
 * const signer = new ResourceLinkSigner([{ id: 'k1', secret: process.env.RESOURCE_LINK_SECRET! }]);
 * const uri = signer.sign({ id, owner: { subject: 'alice' }, expiresAt: Date.now() + 60_000 });
 * signer.verify(uri); // { valid: true, claims: { id, owner: { subject: 'alice' }, expiresAt, kid: 'k1' } }
 * ```
 */
export class ResourceLinkSigner {
  private readonly secrets = new Map<string, Buffer>();
  /** Id of the key that signs new links. */
  readonly signingKeyId: string;

  /** Throws a `ResourceLinkKeyError` for a key that cannot sign safely. */
  constructor(keys: readonly ResourceLinkKey[]) {
    if (!Array.isArray(keys) || keys.length === 0)
      throw new ResourceLinkKeyError(BAD_KEY(0, 'no keys given: give at least one { id, secret }'));
    keys.forEach((key, index) => {
      if (!key || typeof key.id !== 'string' || !KID_PATTERN.test(key.id))
        throw new ResourceLinkKeyError(
          BAD_KEY(index, 'its "id" must be 1 to 32 of A-Z a-z 0-9 . _ -'),
        );
      if (this.secrets.has(key.id))
        throw new ResourceLinkKeyError(BAD_KEY(index, `the id "${key.id}" is used twice`));
      const secret =
        typeof key.secret === 'string'
          ? Buffer.from(key.secret, 'utf8')
          : key.secret instanceof Uint8Array
            ? Buffer.from(key.secret)
            : undefined;
      if (!secret)
        throw new ResourceLinkKeyError(BAD_KEY(index, '"secret" must be a string or bytes'));
      if (secret.length < MIN_SECRET_BYTES)
        throw new ResourceLinkKeyError(SHORT_SECRET(key.id, secret.length, MIN_SECRET_BYTES));
      this.secrets.set(key.id, secret);
    });
    this.signingKeyId = keys[0].id;
  }

  /**
   * A signer with one random key made now, for a single process in development: its links do
   * not survive a restart and do not read on another replica. Logs a warning saying so.
   */
  static ephemeral(
    logger: Pick<Logger, 'warn'> = new Logger('ResourcesModule'),
  ): ResourceLinkSigner {
    const id = `ephemeral-${randomBytes(4).toString('hex')}`;
    logger.warn(EPHEMERAL_KEY(id));
    return new ResourceLinkSigner([{ id, secret: randomBytes(32) }]);
  }

  /** Ids of the keys that verify links. */
  get keyIds(): string[] {
    return [...this.secrets.keys()];
  }

  /** The link to a stored resource for its owner, signed with the first key. */
  sign(claims: Omit<ResourceLinkClaims, 'kid'>): string {
    if (!RESOURCE_ID_PATTERN.test(claims.id))
      throw new RangeError(`Not a resource id: ${JSON.stringify(claims.id)}`);
    if (!(Number.isSafeInteger(claims.expiresAt) && claims.expiresAt > 0))
      throw new RangeError(`expiresAt must be a positive integer, got ${claims.expiresAt}`);
    const kid = this.signingKeyId;
    const owner = normalized(claims.owner);
    const params: [Param, string][] = [];
    if (owner) {
      params.push(['sub', owner.subject]);
      if (owner.tenant !== undefined) params.push(['ten', owner.tenant]);
    }
    const signature = this.mac(kid, claims.id, owner, claims.expiresAt).toString('base64url');
    params.push(['exp', String(claims.expiresAt)], ['kid', kid], ['sig', signature]);
    const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `${RESOURCE_URI_PREFIX}${claims.id}?${query}`;
  }

  /**
   * Checks a link's shape, key, signature and expiry (at `now`, in milliseconds since the
   * epoch). Never throws.
   */
  verify(uri: string, now = Date.now()): ResourceLinkVerdict {
    const parsed = parse(uri);
    if (!parsed) return { valid: false, reason: 'malformed' };
    const secret = this.secrets.get(parsed.kid);
    if (!secret) return { valid: false, reason: 'unknown-key' };
    const expected = this.mac(parsed.kid, parsed.id, parsed.owner, parsed.expiresAt);
    if (!timingSafeEqual(expected, parsed.signature))
      return { valid: false, reason: 'bad-signature' };
    if (parsed.expiresAt <= now) return { valid: false, reason: 'expired' };
    const { signature: _s, ...claims } = parsed;
    return { valid: true, claims };
  }

  private mac(kid: string, id: string, owner: ResourceOwner | null, expiresAt: number): Buffer {
    const payload = JSON.stringify([
      PURPOSE,
      id,
      owner?.subject ?? null,
      owner?.tenant ?? null,
      expiresAt,
      kid,
    ]);
    return createHmac('sha256', this.secrets.get(kid)!).update(payload).digest();
  }
}

/** `owner` without an empty tenant (an empty tenant is no tenant). */
function normalized(owner: ResourceOwner | null): ResourceOwner | null {
  if (!owner) return null;
  return owner.tenant
    ? { subject: owner.subject, tenant: owner.tenant }
    : { subject: owner.subject };
}

/** The claims and signature of a well-formed link, or `undefined`. */
function parse(uri: string): (ResourceLinkClaims & { signature: Buffer }) | undefined {
  if (typeof uri !== 'string' || !uri.startsWith(RESOURCE_URI_PREFIX)) return undefined;
  const rest = uri.slice(RESOURCE_URI_PREFIX.length);
  const q = rest.indexOf('?');
  if (q < 0) return undefined;
  const id = rest.slice(0, q);
  if (!RESOURCE_ID_PATTERN.test(id)) return undefined;
  const values = new Map<Param, string>();
  for (const pair of rest.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq) as Param;
    if (eq < 0 || !PARAMS.includes(name) || values.has(name)) return undefined;
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      return undefined;
    }
    values.set(name, value);
  }
  const exp = values.get('exp');
  const kid = values.get('kid');
  const sig = values.get('sig');
  const sub = values.get('sub');
  const ten = values.get('ten');
  if (!exp || !EXPIRY_PATTERN.test(exp) || !kid || !sig || !SIGNATURE_PATTERN.test(sig))
    return undefined;
  // A tenant without a subject, or an empty one, is not a link this module writes.
  if (ten !== undefined && (sub === undefined || ten === '')) return undefined;
  const signature = Buffer.from(sig, 'base64url');
  // One spelling per signature: base64url's last character has bits that decoding ignores.
  if (signature.toString('base64url') !== sig) return undefined;
  const owner =
    sub === undefined ? null : ten === undefined ? { subject: sub } : { subject: sub, tenant: ten };
  return {
    id,
    owner,
    expiresAt: Number(exp),
    kid,
    signature,
  };
}
