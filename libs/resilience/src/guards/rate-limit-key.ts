import { addressKey, type McpContext, type McpIdentity } from '@rampart/core';
import type { RateLimitKey } from '../interfaces/resilience-module-options.interface';

/**
 * The client address of a native HTTP request (Express or Fastify), if any, as one client
 * counts: an IPv6 address by its /64 prefix ({@link addressKey}), so that a host cannot take a
 * fresh budget from each address of its block.
 */
export function clientIp(request: unknown): string | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const r = request as { ip?: string; socket?: { remoteAddress?: string } };
  const address = r.ip ?? r.socket?.remoteAddress;
  return address ? addressKey(address) : undefined;
}

/**
 * The bucket of a call: `identity` → the subject (else the client IP, else `anonymous`),
 * `tenant` → the tenant (else as `identity`), `ip` → the client IP (else `anonymous`); an IPv6
 * client by its /64. Never the session or protocol era, so neither a new session nor another era
 * escapes a limit.
 */
export function bucketKey(
  key: Exclude<RateLimitKey, (...a: never[]) => unknown> | undefined,
  identity: McpIdentity | undefined,
  request: unknown,
): string {
  if (key === 'tenant' && identity?.tenant) return `tenant:${identity.tenant}`;
  if (key !== 'ip' && identity?.subject) return `id:${identity.subject}`;
  const ip = clientIp(request);
  return ip ? `ip:${ip}` : 'anonymous';
}

/**
 * Whose an idempotency key is: the tenant and subject of the caller (as JSON, so that no
 * spelling of one reads as the other), else the client IP, else `anonymous`. A key is never
 * shared across tenants: the same subject in another tenant is another caller.
 */
export function idempotencyCaller(identity: McpIdentity | undefined, request: unknown): string {
  if (identity?.subject) return `id:${JSON.stringify([identity.tenant ?? null, identity.subject])}`;
  const ip = clientIp(request);
  return ip ? `ip:${ip}` : 'anonymous';
}

/** The bucket of calls whose key function threw on their (not yet validated) arguments. */
export const INVALID_KEY_BUCKET = 'fn:(invalid)';

/** The bucket of a tool call, for any kind of key. */
export function callBucketKey(
  key: RateLimitKey | undefined,
  ctx: McpContext,
  args: Record<string, unknown>,
): string {
  if (typeof key !== 'function') return bucketKey(key, ctx.identity, ctx.request);
  // Guards run before validation: a key function may see arguments it cannot read. Such calls
  // share one bucket of their own and go on to validation, which refuses them.
  try {
    return `fn:${key(ctx, args)}`;
  } catch {
    return INVALID_KEY_BUCKET;
  }
}
