import { createHash } from 'node:crypto';
import type { McpIdentity } from '@rampart/core';
import type { IntrospectionOptions } from '../interfaces/security-module-options.interface';
import { AuthenticationFailure } from './authentication-failure';
import { identityFromClaims } from './identity-claims';

interface Cached {
  identity?: McpIdentity;
  failure?: AuthenticationFailure;
  untilMs: number;
}

/** Most active tokens kept; the oldest go first. */
const MAX_CACHED = 10_000;
/** Most refused tokens kept (inactive, expired, another audience); the oldest go first. */
const MAX_REFUSED = 1_000;

/**
 * Checks opaque bearer tokens with the authorization server's RFC 7662 introspection endpoint.
 * Answers (active or not) are cached for `cacheTtlMs`, never past the token's `exp`, keyed by a
 * SHA-256 of the token so that the cache holds no usable credential. An unreachable endpoint is a
 * `503` with `Retry-After` for the client, never a crash, and is not cached.
 *
 * Refused tokens are kept apart from active ones, in a smaller cache: anyone can send tokens that
 * the server does not know, and in one cache a stream of them pushed the active tokens out, so
 * that every caller's requests went to the authorization server again.
 */
export class TokenIntrospector {
  private readonly cache = new Map<string, Cached>();
  private readonly refused = new Map<string, Cached>();
  private readonly ttlMs: number;
  private readonly authorization: string;

  constructor(
    private readonly options: IntrospectionOptions,
    /** The audience an active token must name, when it names one. */
    private readonly audience: string | readonly string[] | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = options.cacheTtlMs ?? 30_000;
    const encode = (s: string) => encodeURIComponent(s);
    this.authorization = `Basic ${Buffer.from(`${encode(options.clientId)}:${encode(options.clientSecret)}`).toString('base64')}`;
  }

  async verify(token: string): Promise<{ identity: McpIdentity; expiresAtMs?: number }> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.now();
    const hit = this.cache.get(key) ?? this.refused.get(key);
    if (hit && hit.untilMs > now) {
      if (hit.failure) throw hit.failure;
      return { identity: hit.identity!, expiresAtMs: hit.untilMs };
    }
    if (hit) (hit.failure ? this.refused : this.cache).delete(key);
    const answer = await this.introspect(token);
    let cached: Cached;
    if (answer.active !== true)
      cached = {
        failure: new AuthenticationFailure('inactive', 'The token is not active'),
        untilMs: now + this.ttlMs,
      };
    else {
      const expMs = typeof answer.exp === 'number' ? answer.exp * 1000 : undefined;
      const failure = this.check(answer, now, expMs);
      cached = failure
        ? { failure, untilMs: now + this.ttlMs }
        : {
            identity: identityFromClaims(answer, this.options.claims, 'introspection'),
            untilMs: Math.min(now + this.ttlMs, expMs ?? Infinity),
          };
    }
    const [kept, max] = cached.failure ? [this.refused, MAX_REFUSED] : [this.cache, MAX_CACHED];
    kept.set(key, cached);
    if (kept.size > max) kept.delete(kept.keys().next().value!);
    if (cached.failure) throw cached.failure;
    return { identity: cached.identity!, expiresAtMs: cached.untilMs };
  }

  private check(
    answer: Record<string, unknown>,
    now: number,
    expMs: number | undefined,
  ): AuthenticationFailure | undefined {
    if (expMs !== undefined && expMs <= now)
      return new AuthenticationFailure('expired', 'The token has expired');
    if (typeof answer.nbf === 'number' && answer.nbf * 1000 > now)
      return new AuthenticationFailure('not-yet-valid', 'The token is not valid yet');
    if (this.audience !== undefined && answer.aud !== undefined) {
      const wanted = typeof this.audience === 'string' ? [this.audience] : this.audience;
      const named = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
      if (!named.some((a) => wanted.includes(a as string)))
        return new AuthenticationFailure(
          'wrong-audience',
          'The token was issued for another resource',
        );
    }
    return undefined;
  }

  private async introspect(token: string): Promise<Record<string, unknown>> {
    const unavailable = () =>
      new AuthenticationFailure(
        'issuer-unavailable',
        'The authorization server cannot check tokens right now',
        5_000,
      );
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
        redirect: 'error',
      });
    } catch {
      throw unavailable();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw unavailable();
    }
    try {
      const answer = (await response.json()) as unknown;
      if (answer && typeof answer === 'object' && !Array.isArray(answer))
        return answer as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw unavailable();
  }
}
