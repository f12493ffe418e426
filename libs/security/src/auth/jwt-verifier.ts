import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  exportJWK,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWK,
} from 'jose';
import type { McpIdentity } from '@rampart/core';
import type { JwtOptions } from '../interfaces/security-module-options.interface';
import { AuthenticationFailure } from './authentication-failure';
import { identityFromClaims } from './identity-claims';

/** Asymmetric JWS algorithms that Rampart accepts. */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/**
 * Verifies bearer JWTs with jose: signature against the JWKS (or static keys), an asymmetric
 * algorithm allowlist, issuer, audience, `exp` and `nbf` with a small skew. Every refusal is an
 * {@link AuthenticationFailure} with a reason from a fixed set; an unreachable JWKS is one whose
 * client is told to retry (`503`), never a crash.
 */
export class JwtVerifier {
  private readonly algorithms: string[];
  private readonly audience: string | string[];
  private readonly issuer: string | string[];
  private readonly clockSkewSec: number;
  private readonly retryAfterMs: number;
  private getKey?: JWTVerifyGetKey;
  private readonly staticKeys?: Promise<JWTVerifyGetKey>;

  constructor(
    private readonly options: JwtOptions,
    audience: string | readonly string[],
  ) {
    this.algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
    this.audience = typeof audience === 'string' ? audience : [...audience];
    this.issuer = typeof options.issuer === 'string' ? options.issuer : [...options.issuer];
    this.clockSkewSec = Math.ceil((options.clockSkewMs ?? 30_000) / 1000);
    this.retryAfterMs = options.jwksCooldownMs ?? 30_000;
    if (options.jwksUrl)
      this.getKey = createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
        timeoutDuration: options.jwksTimeoutMs ?? 5_000,
      });
    else if (options.keys) {
      this.staticKeys = staticKeySet(options.keys, this.algorithms);
      this.staticKeys.catch(() => undefined); // reported by ready()
    }
  }

  /** Resolves once static keys are imported; rejects, naming the problem, when one is unusable. */
  async ready(): Promise<void> {
    await this.staticKeys;
  }

  /** The identity a valid token proves; an {@link AuthenticationFailure} otherwise. */
  async verify(token: string): Promise<{ identity: McpIdentity; expiresAtMs?: number }> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthenticationFailure('malformed', 'The bearer token is not a well-formed JWT');
    }
    // `none` and HMAC never reach key selection: an HS256 token "signed" with the public key
    // (algorithm confusion) is refused here, whatever the key set holds.
    if (typeof alg !== 'string' || !this.algorithms.includes(alg))
      throw new AuthenticationFailure(
        'algorithm',
        `The token's signature algorithm is not accepted (accepted: ${this.algorithms.join(', ')})`,
      );
    const getKey = this.getKey ?? (this.getKey = await this.staticKeys!);
    try {
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: this.algorithms,
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: this.clockSkewSec,
        requiredClaims: ['exp'],
      });
      return {
        identity: identityFromClaims(payload, this.options.claims, 'jwt'),
        expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
      };
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): AuthenticationFailure {
    if (error instanceof AuthenticationFailure) return error;
    const code = (error as { code?: string }).code;
    const claim = (error as { claim?: string }).claim;
    switch (code) {
      case 'ERR_JWT_EXPIRED':
        return new AuthenticationFailure('expired', 'The token has expired');
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        if (claim === 'iss')
          return new AuthenticationFailure(
            'wrong-issuer',
            'The token was issued by another issuer',
          );
        if (claim === 'aud')
          return new AuthenticationFailure(
            'wrong-audience',
            'The token was issued for another resource',
          );
        if (claim === 'nbf')
          return new AuthenticationFailure('not-yet-valid', 'The token is not valid yet');
        return new AuthenticationFailure(
          'invalid-claims',
          `The token's "${claim}" claim is invalid`,
        );
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new AuthenticationFailure('bad-signature', 'The token signature is invalid');
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return new AuthenticationFailure(
          'algorithm',
          'The token signature algorithm is not accepted',
        );
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return new AuthenticationFailure('unknown-key', 'The token was signed by an unknown key');
      case 'ERR_JWKS_TIMEOUT':
      case 'ERR_JWKS_INVALID':
        return this.unavailable();
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JWK_INVALID':
        return new AuthenticationFailure('malformed', 'The bearer token is not a well-formed JWT');
    }
    // A network failure fetching the JWKS (refused, reset, a non-200 answer) arrives as a
    // TypeError from fetch or a JOSEError without a known code.
    if (this.options.jwksUrl) return this.unavailable();
    return new AuthenticationFailure('malformed', 'The bearer token could not be verified');
  }

  private unavailable(): AuthenticationFailure {
    return new AuthenticationFailure(
      'issuer-unavailable',
      "The authorization server's keys cannot be fetched right now",
      this.retryAfterMs,
    );
  }
}

/**
 * A local key set of the configured static keys. PEM keys are turned into JWKs, so that jose
 * selects keys the same way as from a JWKS (by `kid`, and by key type for the token's `alg`).
 */
async function staticKeySet(
  keys: readonly (JWK | string)[],
  algorithms: readonly string[],
): Promise<JWTVerifyGetKey> {
  const jwks: JWK[] = [];
  for (const key of keys) {
    if (typeof key !== 'string') {
      jwks.push(key);
      continue;
    }
    let jwk: JWK | undefined;
    for (const alg of algorithms) {
      try {
        jwk = await exportJWK(await importSPKI(key, alg, { extractable: true }));
        break;
      } catch {
        // not a key of this algorithm's type: try the next one
      }
    }
    if (!jwk)
      throw new Error('A static key is not an SPKI PEM public key of an accepted algorithm');
    jwks.push(jwk);
  }
  return createLocalJWKSet({ keys: jwks });
}
