import type { IncomingHttpHeaders } from 'node:http';
import type { MaybePromise, McpIdentity } from '@rampart/core';
import { AuthenticationFailure, type AuthFailureReason } from './authentication-failure';
import type { JwtVerifier } from './jwt-verifier';
import type { TokenIntrospector } from './token-introspector';

/** What verifies API keys: `ApiKeys` from this package, or your own. */
export interface ApiKeyVerifier {
  verify(
    presented: string,
  ): Promise<
    | { ok: true; identity: McpIdentity }
    | { ok: false; reason: 'malformed' | 'unknown' | 'mismatch' | 'expired' | 'revoked' }
  >;
}

const API_KEY_REASONS: Record<string, AuthFailureReason> = {
  malformed: 'api-key-malformed',
  unknown: 'api-key-unknown',
  // Audited apart (someone holds a real id), but the client is told the same as for unknown.
  mismatch: 'api-key-mismatch',
  expired: 'api-key-expired',
  revoked: 'api-key-revoked',
};

/** Most verified JWTs remembered; the oldest go first. */
const MAX_REMEMBERED_TOKENS = 10_000;
/** A remembered JWT is verified again after this long at most. */
const REMEMBER_MS = 5 * 60_000;
/**
 * How many characters of the end of an `Authorization` header key it among the remembered ones.
 * A map hashes the whole of a new string on every lookup, and a header with an RS256 JWT has
 * some 800; its end is the token's signature, distinct per token. The whole header is compared
 * before a remembered identity is used.
 */
const KEY_CHARS = 64;

/**
 * Resolves the identity of an HTTP request from its credentials: a bearer token (a JWT verified
 * locally, or an opaque token introspected) or an API key. `undefined` when the request carries
 * none; an {@link AuthenticationFailure} when it carries a bad one.
 *
 * A verified JWT is remembered (by the `Authorization` header that carried it, in this process,
 * never logged) until it expires or for five minutes, so that a client's requests cost one map
 * lookup after the first, before any parsing; its `exp` is checked again on every use.
 */
export class Authenticator {
  private readonly remembered = new Map<
    string,
    { authorization: string; identity: McpIdentity; untilMs: number }
  >();

  constructor(
    private readonly jwt: JwtVerifier | undefined,
    private readonly introspector: TokenIntrospector | undefined,
    private readonly apiKeys: ApiKeyVerifier | undefined,
    /** Lower-case name of the API key header. */
    private readonly apiKeyHeader: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether any kind of credential is accepted at all. */
  get enabled(): boolean {
    return !!(this.jwt || this.introspector || this.apiKeys);
  }

  /** Whether bearer tokens are accepted (the challenge is then `Bearer`). */
  get acceptsBearer(): boolean {
    return !!(this.jwt || this.introspector);
  }

  /**
   * The identity of a request's credentials. A remembered JWT answers synchronously (no promise
   * on a client's every request); anything else (a first JWT, introspection, an API key) is
   * asynchronous. A bad credential throws an {@link AuthenticationFailure}, at once or as a
   * rejection.
   */
  authenticate(headers: IncomingHttpHeaders): MaybePromise<McpIdentity | undefined> {
    const authorization = headers.authorization;
    const key = this.apiKeys ? headers[this.apiKeyHeader] : undefined;
    if (authorization !== undefined && key !== undefined)
      throw new AuthenticationFailure(
        'malformed',
        'Send either a bearer token or an API key, not both',
      );
    if (key !== undefined) return this.apiKey(key);
    if (authorization === undefined) return undefined;
    const now = this.now();
    // The exact header seen before: it parsed then, and its token verified.
    const slot = keyOf(authorization);
    const known = this.remembered.get(slot);
    if (known?.authorization === authorization) {
      if (known.untilMs > now) return known.identity;
      this.remembered.delete(slot);
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
    if (!match || !this.acceptsBearer)
      throw new AuthenticationFailure(
        'malformed',
        this.acceptsBearer
          ? 'The Authorization header must be "Bearer <token>"'
          : 'This server does not accept bearer tokens',
      );
    return this.bearer(authorization, match[1], now);
  }

  private async bearer(authorization: string, token: string, now: number): Promise<McpIdentity> {
    const looksLikeJwt = token.split('.').length === 3;
    let verified: { identity: McpIdentity; expiresAtMs?: number };
    if (looksLikeJwt && this.jwt) verified = await this.jwt.verify(token);
    else if (this.introspector) return (await this.introspector.verify(token)).identity;
    else throw new AuthenticationFailure('unsupported-token', 'The bearer token is not a JWT');
    this.remembered.set(keyOf(authorization), {
      authorization,
      identity: verified.identity,
      untilMs: Math.min(verified.expiresAtMs ?? now, now + REMEMBER_MS),
    });
    if (this.remembered.size > MAX_REMEMBERED_TOKENS)
      this.remembered.delete(this.remembered.keys().next().value!);
    return verified.identity;
  }

  private async apiKey(value: string | string[]): Promise<McpIdentity> {
    if (typeof value !== 'string')
      throw new AuthenticationFailure('api-key-malformed', 'Send one API key');
    const outcome = await this.apiKeys!.verify(value);
    if (outcome.ok) return outcome.identity;
    throw new AuthenticationFailure(
      API_KEY_REASONS[outcome.reason] ?? 'api-key-unknown',
      outcome.reason === 'expired'
        ? 'The API key has expired'
        : outcome.reason === 'revoked'
          ? 'The API key has been revoked'
          : 'The API key is not valid',
    );
  }
}

/** The key of a remembered `Authorization` header (see {@link KEY_CHARS}). */
function keyOf(authorization: string): string {
  return authorization.length > KEY_CHARS ? authorization.slice(-KEY_CHARS) : authorization;
}
