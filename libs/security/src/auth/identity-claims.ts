import type { McpIdentity, McpIdentityProof } from '@rampart/core';
import type { IdentityClaims } from '../interfaces/security-module-options.interface';
import { AuthenticationFailure } from './authentication-failure';

/**
 * The identity a verified token's claims (or an introspection answer) describe: subject, tenant,
 * scopes and roles read from the configured claims. The claims are kept for tools that need
 * more; the token itself is not.
 */
export function identityFromClaims(
  payload: Record<string, unknown>,
  names: IdentityClaims | undefined,
  proof: McpIdentityProof,
): McpIdentity {
  const subject = firstString(payload, names?.subject, 'sub', 'client_id');
  if (!subject) throw new AuthenticationFailure('invalid-claims', 'The token names no subject');
  const tenant = firstString(payload, names?.tenant, 'tenant', 'tid');
  return {
    subject,
    ...(tenant && { tenant }),
    scopes: list(names?.scopes ? payload[names.scopes] : (payload.scope ?? payload.scp)),
    roles: list(payload[names?.roles ?? 'roles']),
    claims: payload,
    proof,
  };
}

function firstString(
  payload: Record<string, unknown>,
  configured: string | undefined,
  ...defaults: string[]
): string | undefined {
  for (const key of configured ? [configured] : defaults) {
    const value = payload[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** A space-separated string or an array of strings, as a list. */
function list(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
