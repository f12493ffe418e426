import type { McpIdentity } from '@rampart/core';
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so that key order does not matter. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
    .join(',')}}`;
}

/** sha256 of the key-sorted JSON of a call's arguments: what a reused key is compared by. */
export const argumentsFingerprint = (args: Record<string, unknown>): string =>
  createHash('sha256').update(stableJson(args)).digest('hex');

/**
 * The store key of a client's idempotency key: the server, the tool, the caller's tenant and
 * subject, and the key, as JSON (so that no spelling of one part reads as another). One caller's
 * key never names another caller's task, in the same tenant or another.
 */
export function taskIdempotencyKey(
  server: string,
  tool: string,
  identity: Pick<McpIdentity, 'subject' | 'tenant'> | undefined,
  key: string,
): string {
  return JSON.stringify([server, tool, identity?.tenant ?? null, identity?.subject ?? null, key]);
}
