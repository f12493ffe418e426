import { isIP } from 'node:net';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { isToolError, loadPackage } from '@rampart/core';
import type { Agent, Response } from 'undici';
import { SecurityDefinitionError } from '../errors/security-definition.error';
import { AddressPolicy, normalizeHost } from './address-policy';
import { SystemResolver, type EgressResolver } from './egress-resolver';
import { EgressContentTypeError } from './egress-content-type.error';
import {
  CONNECT_TIMED_OUT,
  EGRESS_REFUSED_LOG,
  INVALID_FETCHER_OPTIONS,
  NETWORK_FAILED,
  TIMED_OUT,
  URL_CREDENTIALS,
  URL_SCHEME,
  URL_UNPARSABLE,
} from './egress-messages.constant';
import { EgressNetworkError } from './egress-network.error';
import { EgressRedirectLimitError } from './egress-redirect-limit.error';
import { EgressRefusedError } from './egress-refused.error';
import { EgressTimeoutError } from './egress-timeout.error';
import { EgressTooLargeError } from './egress-too-large.error';
import { EgressUrlError } from './egress-url.error';
import {
  DEFAULT_CONNECTIONS_PER_ORIGIN,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONTENT_TYPES,
  DEFAULT_EGRESS_PORTS,
  DEFAULT_EGRESS_USER_AGENT,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TOTAL_TIMEOUT_MS,
  SAFE_FETCHER_OPTIONS,
} from './egress.constants';
import { createPinnedConnector } from './pinned-connector';
import type {
  EgressLogger,
  SafeFetchInit,
  SafeFetcherOptions,
  SafeResponse,
} from './safe-fetcher-options.interface';
import { safeFetcherOptionProblems } from './safe-fetcher-options.validation';

type Undici = typeof import('undici');

/** Statuses whose `Location` is followed. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that describe a request body, dropped with it when a redirect turns the method to GET. */
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
/** Headers not sent to another origin than the one they were given for. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** Most of a redirect's body read so that its connection can be reused; a longer one is dropped. */
const REDIRECT_DRAIN_BYTES = 65_536;

/** Per-call limits, resolved. */
interface CallLimits {
  maxBodyBytes: number;
  maxRedirects: number;
  contentTypes: readonly string[];
  responseType: 'text' | 'buffer';
}

/**
 * Fetches http(s) URLs that callers give, without letting them reach what the server can reach
 * but they should not (SSRF): loopback, private networks, cloud metadata, link-local, and every
 * other non-public range, however the address is spelled (`0x7f000001`, `2130706433`, `127.1`,
 * `[::ffff:127.0.0.1]`, NAT64, 6to4, Teredo…) or whatever a name resolves to.
 *
 * - The URL is checked first: http or https only, no credentials, an allowed port, the host not
 *   denied, an IP literal (as the URL parser normalizes it) in no refused range.
 * - Every new connection resolves the name once with the resolver, checks every address it
 *   answers, and connects to the address it checked (the name stays the TLS server name and the
 *   `Host`), so a name cannot change its answer between the check and the connection (DNS
 *   rebinding). Connections are kept alive and reused per origin, each on the address it was
 *   checked for.
 * - Redirects are followed by hand, each hop checked the same way, at most `maxRedirects`;
 *   301 / 302 turn a POST into a GET, 303 any method but HEAD, 307 / 308 keep method and body;
 *   credentials headers are not sent to another origin.
 * - The body is streamed up to `maxBodyBytes`; the whole fetch has `totalTimeoutMs`; only the
 *   media types of `contentTypes` are read.
 *
 * A refused target fails with {@link EgressRefusedError}, one code and one message whatever the
 * reason (the reason is logged); a bad URL, a too large body, an unsupported media type and too
 * many redirects are also the caller's fault (never retried, never counted by a circuit breaker);
 * network failures and timeouts of an allowed upstream are the upstream's (retryable, counted).
 * A non-2xx status is not an error: see `status` and `ok`.
 *
 * Provided by `SecurityModule` (its `egress` option), or as a plain provider (with the
 * `SAFE_FETCHER_OPTIONS` token, or the defaults), or built with `new`. Does not use the
 * `HTTP(S)_PROXY` variables: a proxy would connect to addresses it never checked.
 *
 * @example
 * ```ts
 * @Tool({ name: 'scrape_url', annotations: { readOnlyHint: true, openWorldHint: true } })
 * async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
 *   const page = await this.fetcher.get(input.url, { signal: ctx.signal });
 *   return page.body;
 * }
 * ```
 */
@Injectable()
export class SafeFetcher implements OnApplicationShutdown {
  private readonly policy: AddressPolicy;
  private readonly ports?: ReadonlySet<number>;
  private readonly resolver: EgressResolver;
  private readonly logger: EgressLogger;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly maxRedirects: number;
  private readonly maxBodyBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly keepAliveTimeoutMs: number;
  private readonly connectionsPerOrigin: number;
  private readonly contentTypes: readonly string[];
  private undici?: Undici;
  private agent?: Agent;

  /** @throws SecurityDefinitionError on options that cannot work, naming each problem. */
  constructor(@Optional() @Inject(SAFE_FETCHER_OPTIONS) options: SafeFetcherOptions = {}) {
    const o = options ?? {};
    const problems = safeFetcherOptionProblems(o);
    if (problems.length) throw new SecurityDefinitionError(INVALID_FETCHER_OPTIONS(problems));
    this.policy = new AddressPolicy(o.allow, o.deny);
    const ports = o.ports ?? DEFAULT_EGRESS_PORTS;
    this.ports = ports === 'any' ? undefined : new Set(ports);
    this.resolver = o.resolver ?? new SystemResolver();
    this.logger = o.logger ?? new Logger('Security:Egress');
    this.headers = lowerCaseKeys({ 'user-agent': DEFAULT_EGRESS_USER_AGENT, ...o.headers });
    this.maxRedirects = o.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.connectTimeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.totalTimeoutMs = o.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
    this.keepAliveTimeoutMs = o.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
    this.connectionsPerOrigin = o.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN;
    this.contentTypes = o.contentTypes ?? DEFAULT_CONTENT_TYPES;
  }

  /**
   * GETs `url` and reads its body (text, or bytes with `responseType: 'buffer'`).
   *
   * @example
   * ```ts
   * const page = await fetcher.get('https://example.com/', { signal: ctx.signal });
   * page.status; page.mediaType; page.body; page.redirects;
   * ```
   */
  get(
    url: string | URL,
    init?: Omit<SafeFetchInit, 'method' | 'body'> & { responseType?: 'text' },
  ): Promise<SafeResponse<string>>;
  get(
    url: string | URL,
    init: Omit<SafeFetchInit, 'method' | 'body'> & { responseType: 'buffer' },
  ): Promise<SafeResponse<Buffer>>;
  get(url: string | URL, init: SafeFetchInit = {}): Promise<SafeResponse<string | Buffer>> {
    return this.perform(url, { ...init, method: 'GET', body: undefined });
  }

  /**
   * Sends a request to `url` (any method, an optional body) and reads the response, following
   * redirects.
   *
   * @example
   * ```ts
   * const answer = await fetcher.fetch('https://api.example.com/search', {
   *   method: 'POST',
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ q: 'rampart' }),
   * });
   * ```
   */
  fetch(
    url: string | URL,
    init?: SafeFetchInit & { responseType?: 'text' },
  ): Promise<SafeResponse<string>>;
  fetch(
    url: string | URL,
    init: SafeFetchInit & { responseType: 'buffer' },
  ): Promise<SafeResponse<Buffer>>;
  fetch(url: string | URL, init: SafeFetchInit = {}): Promise<SafeResponse<string | Buffer>> {
    return this.perform(url, init);
  }

  /** Closes the kept-alive connections (waiting for fetches in flight). */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close();
  }

  /** Closes the connections when the app shuts down. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** One fetch, under its total timeout. */
  private async perform(
    url: string | URL,
    init: SafeFetchInit,
  ): Promise<SafeResponse<string | Buffer>> {
    const limits = this.limits(init);
    const totalTimeoutMs = positive(init.totalTimeoutMs, 'totalTimeoutMs') ?? this.totalTimeoutMs;
    const method = (init.method ?? 'GET').toUpperCase();
    if (init.body !== undefined && (method === 'GET' || method === 'HEAD'))
      throw new TypeError(`A ${method} request cannot have a body`);
    // Checked before anything starts: a refused URL fails without a timer or a connection.
    const first = this.checkUrl(url, true);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new EgressTimeoutError(TIMED_OUT(totalTimeoutMs))),
      totalTimeoutMs,
    );
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    const at = { origin: first.origin };
    try {
      return await this.run(first, method, init, limits, signal, at);
    } catch (error) {
      throw this.failure(error, init.signal, deadline.signal, at.origin);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The fetch, hop by hop. `at.origin` follows the hop in flight, for error messages. */
  private async run(
    first: URL,
    startMethod: string,
    init: SafeFetchInit,
    limits: CallLimits,
    signal: AbortSignal,
    at: { origin: string },
  ): Promise<SafeResponse<string | Buffer>> {
    const { fetch } = this.load();
    const agent = this.dispatcher();
    const headers = this.requestHeaders(init.headers, limits.contentTypes);
    const redirects: string[] = [];
    let url = first;
    let method = startMethod;
    let body = init.body;
    for (;;) {
      at.origin = url.origin;
      const response = await fetch(url.href, {
        method,
        headers,
        body,
        redirect: 'manual',
        dispatcher: agent,
        signal,
      });
      const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
      if (location === null) return this.read(response, url, method, redirects, limits);
      await drain(response);
      if (redirects.length >= limits.maxRedirects)
        throw new EgressRedirectLimitError(limits.maxRedirects);
      const next = this.checkUrl(location, false, url);
      // As fetch does: 303 turns any method but HEAD into a GET, 301 / 302 turn a POST into one;
      // 307 / 308 keep the method and the body.
      const status = response.status;
      if ((status === 303 && method !== 'HEAD') || (status <= 302 && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of BODY_HEADERS) delete headers[name];
      }
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
      redirects.push(next.href);
      url = next;
    }
  }

  /**
   * The URL as the fetcher will use it, or why not: `EgressUrlError` for what the caller wrote
   * (syntax, scheme, credentials), `EgressRefusedError` for a refused target (port, denied host,
   * an IP literal in a refused range), and for anything wrong with a redirect's `Location`.
   */
  private checkUrl(input: string | URL, first: boolean, base?: URL): URL {
    const invalid = (message: string, reason: string) =>
      first ? new EgressUrlError(message) : this.refuse(`a redirect from ${base!.origin}`, reason);
    let url: URL;
    try {
      url = new URL(typeof input === 'string' ? input : input.href, base);
    } catch {
      throw invalid(URL_UNPARSABLE(), 'the redirect Location is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalid(URL_SCHEME(url.protocol), `a redirect to a ${url.protocol} URL`);
    if (url.username !== '' || url.password !== '')
      throw invalid(URL_CREDENTIALS(), 'a redirect to a URL with credentials');
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const host = normalizeHost(url.hostname);
    const target = targetOf(host, port);
    if (this.ports && !this.ports.has(port))
      throw this.refuse(target, `port ${port} is not in the allowed ports`);
    if (this.policy.deniesHost(host)) throw this.refuse(target, 'the host is on the deny list');
    // The URL parser has normalized every numeric spelling of an address (0x7f000001, 2130706433,
    // 0177.0.0.1, 127.1, [::ffff:127.0.0.1]…) to an IP literal: checked here as one, without DNS
    // (and checked again at connect time).
    if (isIP(host) !== 0) {
      const reason = this.policy.check(host, host);
      if (reason) throw this.refuse(target, reason);
    }
    url.hash = '';
    return url;
  }

  /** Logs why a target is refused and returns the uniform error. */
  private refuse(target: string, reason: string): EgressRefusedError {
    this.logger.warn(EGRESS_REFUSED_LOG(target, reason));
    return new EgressRefusedError();
  }

  /** Reads the final response within the call's limits. */
  private async read(
    response: Response,
    url: URL,
    method: string,
    redirects: string[],
    limits: CallLimits,
  ): Promise<SafeResponse<string | Buffer>> {
    const contentType = response.headers.get('content-type') ?? '';
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    const ok = response.status >= 200 && response.status < 300;
    const bodyless = method === 'HEAD' || [204, 205, 304].includes(response.status);
    const readable = accepts(limits.contentTypes, mediaType);
    let bytes: Buffer = Buffer.alloc(0);
    if (response.body === null || bodyless) {
      await drain(response);
    } else if (!readable) {
      await response.body.cancel().catch(() => undefined);
      if (ok) throw new EgressContentTypeError(mediaType, limits.contentTypes);
    } else {
      bytes = await readCapped(response, limits.maxBodyBytes);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers)
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    return {
      url: url.href,
      status: response.status,
      ok,
      headers,
      contentType,
      mediaType,
      body: limits.responseType === 'buffer' ? bytes : decode(bytes, contentType),
      bytes: bytes.length,
      redirects,
    };
  }

  /**
   * What a failed fetch rejects with: the fetcher's timeout; the caller's abort reason; a tool
   * error as it is (a refusal from the connector arrives as the cause of undici's `fetch failed`);
   * a connect timeout; any other network failure as the upstream's.
   */
  private failure(
    error: unknown,
    callerSignal: AbortSignal | undefined,
    deadline: AbortSignal,
    origin: string,
  ): unknown {
    if (deadline.aborted && !callerSignal?.aborted) return deadline.reason;
    if (callerSignal?.aborted) return callerSignal.reason;
    if (isToolError(error)) return error;
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (isToolError(cause)) return cause;
    if (error instanceof TypeError && cause === undefined) return error; // a bad header or body
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT')
      return new EgressTimeoutError(CONNECT_TIMED_OUT(origin, this.connectTimeoutMs), cause);
    const reason =
      [code, (cause as Error | undefined)?.message, (error as Error | undefined)?.message].find(
        (r): r is string => typeof r === 'string' && r.length > 0,
      ) ?? String(error);
    return new EgressNetworkError(NETWORK_FAILED(origin, reason), error);
  }

  private limits(init: SafeFetchInit): CallLimits {
    const maxRedirects = init.maxRedirects ?? this.maxRedirects;
    if (!(Number.isSafeInteger(maxRedirects) && maxRedirects >= 0))
      throw new RangeError('"maxRedirects" must be an integer ≥ 0');
    return {
      maxBodyBytes: positive(init.maxBodyBytes, 'maxBodyBytes') ?? this.maxBodyBytes,
      maxRedirects,
      contentTypes: init.contentTypes ?? this.contentTypes,
      responseType: init.responseType ?? 'text',
    };
  }

  private requestHeaders(
    own: Readonly<Record<string, string>> | undefined,
    contentTypes: readonly string[],
  ): Record<string, string> {
    const headers: Record<string, string> = {
      accept: contentTypes.join(', '),
      ...this.headers,
      ...lowerCaseKeys(own),
    };
    // The name connected to is the URL's; a Host of the caller's would send the request elsewhere.
    delete headers.host;
    return headers;
  }

  private load(): Undici {
    return (this.undici ??= loadPackage<Undici>('undici', 'SafeFetcher'));
  }

  /** The one Agent of this fetcher: its connector checks every connection it opens. */
  private dispatcher(): Agent {
    if (this.agent) return this.agent;
    const { Agent, buildConnector } = this.load();
    this.agent = new Agent({
      connect: createPinnedConnector({
        policy: this.policy,
        resolver: this.resolver,
        connect: buildConnector({ timeout: this.connectTimeoutMs }),
        lookupTimeoutMs: this.connectTimeoutMs,
        refuse: (host, port, reason) => this.refuse(targetOf(host, port), reason),
      }),
      keepAliveTimeout: this.keepAliveTimeoutMs,
      connections: this.connectionsPerOrigin,
    });
    return this.agent;
  }
}

/** `host:port`, IPv6 addresses in brackets, for the log. */
function targetOf(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isSafeInteger(value) && value > 0))
    throw new RangeError(`"${name}" must be a positive integer`);
  return value;
}

function lowerCaseKeys(headers?: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Whether a media type is in the list (exact, `type/*`, `*\/*+suffix` or `*\/*`). */
function accepts(list: readonly string[], mediaType: string): boolean {
  if (list.includes('*/*')) return true;
  if (mediaType === '') return false;
  const plus = mediaType.lastIndexOf('+');
  return (
    list.includes(mediaType) ||
    list.includes(`${mediaType.split('/')[0]}/*`) ||
    (plus > mediaType.indexOf('/') && list.includes(`*/*${mediaType.slice(plus)}`))
  );
}

/** Reads a body up to `max` bytes, or fails with `TOO_LARGE` and stops the transfer. */
async function readCapped(response: Response, max: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max && !response.headers.has('content-encoding')) {
    await response.body?.cancel().catch(() => undefined);
    throw new EgressTooLargeError(max);
  }
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new EgressTooLargeError(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Reads and drops a body that is not wanted (a redirect's), so that its connection can serve
 * the next request; one longer than a few KiB is cancelled (its connection closed) instead.
 */
async function drain(response: Response): Promise<void> {
  if (!response.body) return;
  try {
    const reader = response.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > REDIRECT_DRAIN_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // A body that fails while it is dropped changes nothing.
  }
}

/** The body as text, in the charset the response names (UTF-8 when it names none or an unknown one). */
function decode(bytes: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
