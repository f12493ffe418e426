import { randomBytes } from 'node:crypto';
import { INVALID_MODULE_OPTION } from '../errors/messages.constant';
import { ResourcesDefinitionError } from '../errors/resources-definition.error';
import { RESOURCES_DEFAULTS } from '../resources.constants';
import type { ResourceOwner, ResourceOwnerFilter } from './resource.store';

/**
 * The caps of a resource store.
 *
 * @example
 * ```ts
 * const limits: ResourceStoreLimits = { maxBytes: 256 * 1024 * 1024, maxEntryBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface ResourceStoreLimits {
  /**
   * Cap on the bytes of every entry's content together; past it the least recently used
   * entries are evicted until a new one fits. A positive integer.
   * @default 104857600 (100 MiB)
   */
  maxBytes?: number;
  /**
   * Cap on the bytes of one entry's content; a larger one is refused with a
   * `ResourceTooLargeError`. A positive integer, at most `maxBytes`.
   * @default 10485760 (10 MiB), or `maxBytes` when that is smaller
   */
  maxEntryBytes?: number;
}

/** The caps with their defaults, checked: a bad one throws a `ResourcesDefinitionError`. */
export function resolveLimits(
  limits: ResourceStoreLimits,
  where = 'ResourcesModule',
): Required<ResourceStoreLimits> {
  const maxBytes = limits.maxBytes ?? RESOURCES_DEFAULTS.maxBytes;
  const maxEntryBytes =
    limits.maxEntryBytes ?? Math.min(RESOURCES_DEFAULTS.maxEntryBytes, maxBytes);
  for (const [key, value] of Object.entries({ maxBytes, maxEntryBytes }))
    if (!(Number.isSafeInteger(value) && value > 0))
      throw new ResourcesDefinitionError(
        INVALID_MODULE_OPTION(key, `must be a positive integer (bytes), got ${String(value)}`),
      );
  if (maxEntryBytes > maxBytes)
    throw new ResourcesDefinitionError(
      INVALID_MODULE_OPTION(
        'maxEntryBytes',
        `${maxEntryBytes} is more than maxBytes (${maxBytes}) of ${where}: one entry could never fit`,
      ),
    );
  return { maxBytes, maxEntryBytes };
}

/** A new resource id: 128 random bits, 22 base64url characters. */
export const newResourceId = (): string => randomBytes(16).toString('base64url');

/** What a resource id looks like. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Bytes of a content: UTF-8 for text. */
export const contentBytes = (content: string | Uint8Array): number =>
  typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;

/** `bytes / maxBytes` as a percentage with two decimals. */
export const usagePercent = (bytes: number, maxBytes: number): number =>
  Math.round((bytes / maxBytes) * 10_000) / 100;

/** Throws unless `ttlMs` is a positive number of milliseconds. */
export function assertTtl(ttlMs: number): void {
  if (!(Number.isSafeInteger(ttlMs) && ttlMs > 0))
    throw new RangeError(`ttlMs must be a positive integer (milliseconds), got ${String(ttlMs)}`);
}

/**
 * `filter` checked, its tenant normalized (`''` is no tenant): throws a `TypeError` for anything
 * but `{ tenant: string | undefined, subject?: string }`, so that a mistyped filter can never
 * widen a deletion.
 */
export function ownerFilterOf(filter: ResourceOwnerFilter): ResourceOwnerFilter {
  if (!filter || typeof filter !== 'object' || !('tenant' in filter))
    throw new TypeError(
      'deleteOwned needs { tenant, subject? }: name the tenant, or tenant: undefined',
    );
  const { tenant, subject } = filter;
  if (tenant !== undefined && typeof tenant !== 'string')
    throw new TypeError(`deleteOwned: tenant must be a string or undefined, got ${typeof tenant}`);
  if (subject !== undefined && (typeof subject !== 'string' || subject === ''))
    throw new TypeError('deleteOwned: subject must be a non-empty string when given');
  return { tenant: tenant || undefined, ...(subject !== undefined && { subject }) };
}

/** Whether `owner` is matched by a checked `filter` (never the anonymous owner). */
export function ownedBy(owner: ResourceOwner | null, filter: ResourceOwnerFilter): boolean {
  if (!owner) return false;
  if ((owner.tenant || undefined) !== filter.tenant) return false;
  return filter.subject === undefined || owner.subject === filter.subject;
}
