/**
 * How an identity was proven: a verified JWT, an introspected opaque token, an API key, the
 * configured local identity of a stdio server, or an app's own `identify` function.
 */
export type McpIdentityProof = 'jwt' | 'introspection' | 'api-key' | 'local' | (string & {});

/**
 * Who is calling: resolved once per request from its authentication (an authentication hook such
 * as `@rampart/security`'s, or `McpModule` `identify`), absent for anonymous callers.
 */
export interface McpIdentity {
  /** Stable subject identifier (user id, client id). */
  subject: string;
  /** Tenant the subject acts for, when the deployment is multi-tenant. */
  tenant?: string;
  /** Granted OAuth scopes. */
  scopes?: readonly string[];
  /** Roles the subject holds. */
  roles?: readonly string[];
  /** Anything else the authentication layer resolved (token claims, key metadata). */
  claims?: Readonly<Record<string, unknown>>;
  /** How the identity was proven. */
  proof?: McpIdentityProof;
}
