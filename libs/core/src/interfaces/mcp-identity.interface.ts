/** Who is calling: resolved from the HTTP request's authentication, absent on stdio. */
export interface McpIdentity {
  /** Stable subject identifier (user id, client id). */
  subject: string;
  /** Tenant the subject acts for, when the deployment is multi-tenant. */
  tenant?: string;
  /** Granted OAuth scopes. */
  scopes?: string[];
  /** Anything else the authentication layer resolved (claims, roles). */
  claims?: Record<string, unknown>;
}
