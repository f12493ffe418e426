import type { McpContext, McpIdentity } from '@rampart/core';
import type { RateLimitKey } from '../interfaces/resilience-module-options.interface';

/** The client IP of a native HTTP request (Express or Fastify), if any. */
export function clientIp(request: unknown): string | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const r = request as { ip?: string; socket?: { remoteAddress?: string } };
  return r.ip ?? r.socket?.remoteAddress;
}

/**
 * The bucket of a call: `identity` → the subject (else the client IP, else `anonymous`),
 * `tenant` → the tenant (else as `identity`), `ip` → the client IP (else `anonymous`). Never the
 * session or protocol era, so neither a new session nor another era escapes a limit.
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

/** The bucket of a tool call, for any kind of key. */
export function callBucketKey(
  key: RateLimitKey | undefined,
  ctx: McpContext,
  args: Record<string, unknown>,
): string {
  if (typeof key === 'function') return `fn:${key(ctx, args)}`;
  return bucketKey(key, ctx.identity, ctx.request);
}
