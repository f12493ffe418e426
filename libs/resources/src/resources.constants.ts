/** Metadata key of `@Offload()`. */
export const OFFLOAD_KEY = 'RAMPART:OFFLOAD';

/**
 * What every resource link of the module starts with: `rampart://resources/<id>?…`. The module's
 * resource template (`rampart://resources/{+ref}`) answers every URI under it, so that a link
 * that was tampered with, whatever its shape, gets the same answer as any other unknown link.
 */
export const RESOURCE_URI_PREFIX = 'rampart://resources/';

/** The URI template the module registers with every MCP server of the app. */
export const RESOURCE_URI_TEMPLATE = `${RESOURCE_URI_PREFIX}{+ref}`;

/** Name of the resource template in `resources/templates/list`. */
export const RESOURCE_TEMPLATE_NAME = 'offloaded_result';

/** Fewest bytes a signing secret may have: HMAC-SHA256's own output length. */
export const MIN_SECRET_BYTES = 32;

/** Defaults of the module options, in one place. */
export const RESOURCES_DEFAULTS = {
  /** 100 MiB, the seed's `SizeLimitedStore(max_size_mb=100)`. */
  maxBytes: 100 * 1024 * 1024,
  /** 10 MiB. */
  maxEntryBytes: 10 * 1024 * 1024,
  /** One hour, the seed's `expires_at = now + 1 hour`. */
  ttlMs: 3_600_000,
  /** 8 KiB. */
  thresholdBytes: 8 * 1024,
  /** The seed's `data[:500]`. */
  previewChars: 500,
  mimeType: 'text/plain',
  /** One minute. */
  sweepIntervalMs: 60_000,
} as const;
