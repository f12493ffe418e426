import { McpProtocolError } from '@rampart/core';
import { ACCESS_DENIED_RPC_CODE } from '../security.constants';
import type { AuthenticationFailure } from './authentication-failure';

/**
 * The refusals a client gets, with the challenges of RFC 6750 and the MCP authorization spec:
 * `401` with `WWW-Authenticate: Bearer resource_metadata="…"` (and `error="invalid_token"` when a
 * token was refused), `403` with `error="insufficient_scope", scope="…"` so that the client can
 * ask for a token with more scopes, `503` with `Retry-After` when the authorization server cannot
 * be reached. Descriptions say what is wrong, never echo a credential.
 */
export class Challenges {
  constructor(
    /** The protected resource metadata URL, when the server takes bearer tokens. */
    private readonly metadataUrl: string | undefined,
    private readonly bearer: boolean,
    private readonly apiKeyHeader: string | undefined,
  ) {}

  /** `401`: no credentials, or refused ones (`503` when the authorization server is down). */
  unauthenticated(failure?: AuthenticationFailure): McpProtocolError {
    if (failure?.retryAfterMs !== undefined)
      return new McpProtocolError(
        ACCESS_DENIED_RPC_CODE,
        `Service Unavailable: ${failure.description}`,
        { error: 'temporarily_unavailable' },
        503,
        failure.retryAfterMs,
      );
    const params: [string, string][] = [];
    if (failure)
      params.push(['error', 'invalid_token'], ['error_description', failure.description]);
    return new McpProtocolError(
      ACCESS_DENIED_RPC_CODE,
      failure ? `Unauthorized: ${failure.description}` : 'Unauthorized: credentials are required',
      { error: failure ? 'invalid_token' : 'unauthorized' },
      401,
      undefined,
      { 'www-authenticate': this.challenge(params) },
    );
  }

  /** `403` naming every scope the primitive needs (step-up authorization). */
  insufficientScope(scopes: readonly string[]): McpProtocolError {
    const scope = scopes.join(' ');
    return new McpProtocolError(
      ACCESS_DENIED_RPC_CODE,
      `Forbidden: this needs the scope${scopes.length > 1 ? 's' : ''} ${scope}`,
      { error: 'insufficient_scope', scope },
      403,
      undefined,
      {
        'www-authenticate': this.challenge([
          ['error', 'insufficient_scope'],
          ['scope', scope],
          ['error_description', 'The token lacks a scope this needs'],
        ]),
      },
    );
  }

  /** `403`: a policy denied the request. */
  forbidden(): McpProtocolError {
    return new McpProtocolError(
      ACCESS_DENIED_RPC_CODE,
      'Forbidden: a policy denies this request',
      { error: 'access_denied' },
      403,
    );
  }

  private challenge(params: [string, string][]): string {
    if (!this.bearer)
      return `ApiKey header="${this.apiKeyHeader ?? 'x-api-key'}"${params.length ? `, ${format(params)}` : ''}`;
    const all: [string, string][] = [
      ...(this.metadataUrl ? [['resource_metadata', this.metadataUrl] as [string, string]] : []),
      ...params,
    ];
    return all.length ? `Bearer ${format(all)}` : 'Bearer';
  }
}

/** `name="value"` pairs, with quotes and backslashes escaped (RFC 7235 quoted-string). */
function format(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}="${v.replace(/[\\"]/g, '\\$&')}"`).join(', ');
}
