import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so that key order does not matter. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
    .join(',')}}`;
}

/** sha256 of {@link stableJson}: the fingerprint of a call's arguments. */
export const stableHash = (value: unknown): string =>
  createHash('sha256').update(stableJson(value)).digest('hex');
