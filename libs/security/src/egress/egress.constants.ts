/**
 * Injection token of the {@link SafeFetcherOptions} a `SafeFetcher` provided as a plain class
 * (`providers: [SafeFetcher]`) is built with; without it, the defaults. `SecurityModule` builds
 * its fetcher from its own `egress` option instead.
 *
 * @example
 * ```ts
 * providers: [SafeFetcher, { provide: SAFE_FETCHER_OPTIONS, useValue: { maxBodyBytes: 1_048_576 } }]
 * ```
 */
export const SAFE_FETCHER_OPTIONS = Symbol.for('rampart:safe-fetcher-options');

/** Ports fetched by default. */
export const DEFAULT_EGRESS_PORTS: readonly number[] = [80, 443, 8080, 8443];
/** Redirects followed by default. */
export const DEFAULT_MAX_REDIRECTS = 5;
/** Largest body read by default, in bytes (5 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 5_242_880;
/** Default time allowed to resolve a name and connect, in milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default time allowed for a whole fetch, in milliseconds. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 30_000;
/** Default idle time of a kept-alive connection, in milliseconds. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Default connections at once per origin. */
export const DEFAULT_CONNECTIONS_PER_ORIGIN = 16;
/** The `user-agent` sent by default. */
export const DEFAULT_EGRESS_USER_AGENT = 'rampart-safe-fetcher/0.1';

/**
 * Media types read by default: web pages and the text formats a tool summarises or parses.
 * Images, PDFs, archives, executables and anything undeclared are refused.
 */
export const DEFAULT_CONTENT_TYPES: readonly string[] = [
  'text/html',
  'application/xhtml+xml',
  'text/plain',
  'application/json',
  'application/ld+json',
  'application/xml',
  'text/xml',
  'application/rss+xml',
  'application/atom+xml',
  'text/markdown',
  'text/csv',
];
