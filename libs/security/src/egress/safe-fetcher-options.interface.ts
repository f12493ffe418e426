import type { EgressResolver } from './egress-resolver';

/** Where the fetcher writes why it refused a target (never the caller). Nest's `Logger` fits. */
export interface EgressLogger {
  warn(message: string): void;
}

/**
 * Options of a `SafeFetcher` (`SecurityModule.forRoot({ egress })`, the `SAFE_FETCHER_OPTIONS`
 * provider, or `new SafeFetcher(options)`). The network policy (`allow`, `deny`, `ports`,
 * `resolver`) belongs to the fetcher and cannot be changed per call: connections are kept alive
 * and reused, and each was checked under this policy.
 *
 * @example
 * ```ts
 * const options: SafeFetcherOptions = {
 *   allow: ['wiki.intranet.example.com', '10.20.0.0/16'],
 *   deny: ['*.corp.example.com'],
 *   maxBodyBytes: 1_048_576,
 * };
 * ```
 */
export interface SafeFetcherOptions {
  /**
   * Hosts and networks the fetcher may reach although they are in a refused range (loopback,
   * private, link-local…): exact host names (`wiki.intranet.example.com`), `*.suffix` patterns
   * (every name under the suffix, not the suffix itself), single addresses (`127.0.0.1`, `::1`)
   * and CIDRs (`10.20.0.0/16`). A host entry allows whatever that name resolves to; a network
   * entry allows those addresses whatever the name. It opens nothing else: ports and schemes are
   * still checked.
   * @default [] (public addresses only)
   */
  allow?: readonly string[];
  /**
   * Hosts and networks never reached, in the same forms as `allow`; wins over `allow`.
   * @default []
   */
  deny?: readonly string[];
  /**
   * Ports the fetcher connects to (the URL's port, or 80 / 443 by scheme); `'any'` for every
   * port. Another port is refused as a refused target.
   * @default [80, 443, 8080, 8443]
   */
  ports?: readonly number[] | 'any';
  /**
   * Redirects followed, at most; one more fails with `TOO_MANY_REDIRECTS`. Each hop's URL and
   * address are checked as the first.
   * @default 5
   */
  maxRedirects?: number;
  /**
   * Largest response body read, in bytes (after decompression); a larger one fails with
   * `TOO_LARGE` and the connection is closed.
   * @default 5_242_880 (5 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Time allowed to resolve a name and open one connection (TCP and TLS), in milliseconds.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * Time allowed for a whole fetch (every redirect, the response and its body), in
   * milliseconds. The caller's `signal` can end it sooner.
   * @default 30_000
   */
  totalTimeoutMs?: number;
  /**
   * Media types of successful responses the fetcher reads: exact (`text/html`), `type/*`
   * (`text/*`), a structured-syntax suffix (`*\/*+json`: `application/geo+json`…), or `*\/*` for
   * any (a response without `Content-Type` matches only `*\/*`).
   * Any other fails with `UNSUPPORTED_CONTENT` before its body is read. Also the default
   * `Accept` header.
   * @default DEFAULT_CONTENT_TYPES: text/html, application/xhtml+xml, text/plain, application/json,
   * application/ld+json, application/xml, text/xml, application/rss+xml, application/atom+xml,
   * text/markdown, text/csv
   */
  contentTypes?: readonly string[];
  /**
   * Resolves host names (the address checked is the address connected to).
   * @default the system resolver (`dns.lookup()`)
   */
  resolver?: EgressResolver;
  /**
   * Headers sent with every request, under the call's own.
   * @default { 'user-agent': 'rampart-safe-fetcher/0.1' }
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * How long an idle kept-alive connection stays open for reuse, in milliseconds (a server's
   * `Keep-Alive: timeout` may shorten it).
   * @default 4_000
   */
  keepAliveTimeoutMs?: number;
  /**
   * Connections open at once to one origin, at most.
   * @default 16
   */
  connectionsPerOrigin?: number;
  /**
   * Where refusals are explained (host, port, reason, address).
   * @default Nest's `Logger` with the context `Security:Egress`
   */
  logger?: EgressLogger;
}

/** Per-call options of `SafeFetcher.fetch()` / `get()`. */
export interface SafeFetchInit {
  /**
   * HTTP method.
   * @default 'GET'
   */
  method?: string;
  /** Request headers, over the fetcher's `headers` (`host` is ignored). */
  headers?: Readonly<Record<string, string>>;
  /** Request body, sent again on a 307 / 308 redirect. */
  body?: string | Uint8Array;
  /** Ends the fetch: it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Lower or raise the fetcher's `maxBodyBytes` for this call. */
  maxBodyBytes?: number;
  /** Lower or raise the fetcher's `totalTimeoutMs` for this call. */
  totalTimeoutMs?: number;
  /** Another `maxRedirects` for this call. */
  maxRedirects?: number;
  /** Other `contentTypes` for this call. */
  contentTypes?: readonly string[];
  /**
   * The body as text (decoded with the `charset` of `Content-Type`, UTF-8 by default) or bytes.
   * @default 'text'
   */
  responseType?: 'text' | 'buffer';
}

/** A fetched response, its body read. */
export interface SafeResponse<B extends string | Buffer = string> {
  /** The final URL, after redirects. */
  url: string;
  /** The final response's status. */
  status: number;
  /** Whether the status is 2xx. */
  ok: boolean;
  /** Response headers, names in lower case (repeated headers joined with `, `). */
  headers: Readonly<Record<string, string>>;
  /** The `Content-Type` header as sent (`text/html; charset=utf-8`), `''` when absent. */
  contentType: string;
  /** The media type of `contentType`, lower case, without parameters (`text/html`). */
  mediaType: string;
  /**
   * The body: text or bytes (`responseType`). Empty for a response without a body, and for a
   * non-2xx response whose media type is not in `contentTypes` (its body is not read).
   */
  body: B;
  /** Bytes of body read (after decompression). */
  bytes: number;
  /** The URLs redirected to, in order (the last one is `url`). */
  redirects: string[];
}
