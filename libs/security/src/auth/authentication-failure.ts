/**
 * Why a request's credentials were refused: short kebab-case words from this fixed set, used as
 * the `reason` label of `rampart_auth_failures_total` and in the audit. Never the credential.
 */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'bad-signature'
  | 'algorithm'
  | 'unknown-key'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'expired'
  | 'not-yet-valid'
  | 'invalid-claims'
  | 'inactive'
  | 'unsupported-token'
  | 'api-key-unknown'
  | 'api-key-mismatch'
  | 'api-key-revoked'
  | 'api-key-expired'
  | 'api-key-malformed'
  | 'issuer-unavailable';

/** A refused credential: the reason (for audit and metrics) and what the client is told. */
export class AuthenticationFailure extends Error {
  override readonly name = 'AuthenticationFailure';

  constructor(
    readonly reason: AuthFailureReason,
    /** For the client (`error_description`): says what is wrong, never echoes the credential. */
    readonly description: string,
    /** When the failure is the authorization server's (JWKS or introspection down): retry after. */
    readonly retryAfterMs?: number,
  ) {
    super(description);
  }
}

/** Whether `e` is an {@link AuthenticationFailure}. */
export const isAuthenticationFailure = (e: unknown): e is AuthenticationFailure =>
  e instanceof AuthenticationFailure;
