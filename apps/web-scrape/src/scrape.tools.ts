import { Injectable } from '@nestjs/common';
import { Args, Ctx, McpContext, ResourceTemplate, Tool, ToolError } from '@rampart/core';
import { CircuitBreaker, RateLimit, Retry, Timeout } from '@rampart/resilience';
import { Scopes } from '@rampart/security';
import { htmlToText } from './html-to-text';
import { PageStore } from './page-store';
import { ScrapeUrlInput } from './scrape.dto';

/** Options of the scraper. */
export interface ScrapeOptions {
  /**
   * Time allowed for one attempt at a page (response and body), in milliseconds. The call as a
   * whole, retries included, gets three times this.
   * @default 10000
   */
  timeoutMs: number;
  /**
   * Largest response body read, in bytes.
   * @default 5242880 (5 MiB)
   */
  maxBytes: number;
}

/** Characters returned inline when the call does not say. */
export const DEFAULT_MAX_CHARS = 2000;

/** Media types read as text; anything else (images, PDFs, archives) is refused. */
const TEXTUAL =
  /^(text\/|application\/(xhtml\+xml|xml|json|ld\+json|javascript|rss\+xml|atom\+xml)\b|[a-z]+\/[\w.-]+\+(xml|json)\b)/i;

/** A page could not be reached: refused or reset connection, DNS failure. Retried. */
export class NetworkError extends ToolError {
  constructor(url: string, reason: string, cause: unknown) {
    super('NETWORK_ERROR', `Could not fetch ${url}: ${reason}`, {
      retryable: true,
      suggestions: ['Check that the URL is reachable', 'Try again later'],
      cause,
    });
  }
}

/**
 * A URL that passed validation but that `fetch` refuses before any connection (one with
 * credentials, `http://user@host/`): the caller's fault, so it is neither retried nor counted by
 * the host's circuit breaker. The message leaves the credentials out.
 */
export class InvalidUrlError extends ToolError {
  constructor(url: string, cause: unknown) {
    const credentials = hasCredentials(url);
    super(
      'INVALID_URL',
      credentials
        ? `${withoutCredentials(url)} cannot be fetched with credentials in the URL (user:password@)`
        : `${url} cannot be fetched: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        fault: 'caller',
        suggestions: [
          credentials
            ? 'Remove the user name and password from the URL'
            : 'Check the URL and call again',
        ],
        cause,
      },
    );
  }
}

/** Whether `url` carries a user name or password. */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/** `url` without its user name and password. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/** The upstream host of a call: one circuit breaker per host. */
export function upstreamHost(args: Record<string, unknown>): string {
  return new URL(String(args.url)).host;
}

/**
 * The seed documents' web scraper: `scrape_url` fetches a page and returns its text; a page
 * longer than `maxChars` comes back as a preview plus a `page://{id}` resource link, and the
 * whole text stays readable as that resource for a while.
 *
 * Each caller gets a burst and a sustained rate limit; network errors are retried with
 * decorrelated jitter; each upstream host has its own circuit breaker, so one dead site does not
 * stop the others; every attempt has a deadline that aborts `ctx.signal` (the fetch). The app
 * module can override all of these (`ResilienceModule`'s `tools.scrape_url`).
 *
 * It fetches whatever http(s) URL it is given, private addresses included: it does not guard
 * against SSRF yet, so run it only where the network it can reach is meant to be reachable.
 */
@Injectable()
export class ScrapeTools {
  constructor(
    private readonly pages: PageStore,
    private readonly options: ScrapeOptions,
  ) {}

  @Scopes('scrape:read')
  @Tool({
    name: 'scrape_url',
    title: 'Scrape a web page',
    description:
      'Fetch a web page over http(s) and return its text. Pages longer than maxChars come back as a preview plus a page:// resource link holding the whole text.',
    annotations: { readOnlyHint: true, openWorldHint: true },
  })
  @RateLimit([
    { name: 'burst', points: 20, perMs: 10_000, key: 'identity' },
    { name: 'sustained', points: 120, perMs: 60_000, key: 'identity' },
  ])
  @Retry({
    attempts: 3,
    backoff: 'decorrelated-jitter',
    initialDelayMs: 200,
    maxDelayMs: 2_000,
    on: [NetworkError],
  })
  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000, key: upstreamHost })
  @Timeout({ attemptMs: 10_000, overallMs: 30_000 })
  async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
    ctx.progress(0.1, 'fetching');
    // The attempt's deadline (@Timeout) and the client's cancellation both abort ctx.signal.
    const signal = ctx.signal;
    // What fetch refuses before connecting is refused here, as the caller's fault: a network
    // error would be retried and counted against the host's breaker, for every caller.
    let request: Request;
    try {
      request = new Request(input.url, {
        signal,
        redirect: 'follow',
        headers: {
          'user-agent': 'rampart-web-scrape/0.1',
          accept: 'text/html, text/*;q=0.9, */*;q=0.1',
        },
      });
    } catch (error) {
      throw new InvalidUrlError(input.url, error);
    }
    let response: Response;
    try {
      response = await fetch(request);
    } catch (error) {
      throw this.fetchError(input.url, error, signal);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ToolError('UPSTREAM_ERROR', `${input.url} answered HTTP ${response.status}`, {
        retryable: response.status >= 500 || response.status === 429 || response.status === 408,
        details: { status: response.status },
      });
    }
    const contentType = response.headers.get('content-type') ?? 'text/html';
    if (!TEXTUAL.test(contentType)) {
      await response.body?.cancel().catch(() => undefined);
      throw new ToolError(
        'UNSUPPORTED_CONTENT',
        `${input.url} is ${contentType.split(';')[0]}, not a text page`,
        {
          details: { contentType },
        },
      );
    }
    let body: string;
    try {
      body = await this.readCapped(response, contentType);
    } catch (error) {
      throw this.fetchError(input.url, error, signal);
    }
    ctx.progress(0.8, 'extracting');
    const isHtml = /html/i.test(contentType);
    const text = (input.format ?? 'text') === 'text' && isHtml ? htmlToText(body) : body;
    const maxChars = input.maxChars ?? DEFAULT_MAX_CHARS;
    if (text.length <= maxChars) return { content: [{ type: 'text' as const, text }] };

    const mimeType = input.format === 'html' && isHtml ? 'text/html' : 'text/plain';
    const page = this.pages.put({ url: input.url, contentType, mimeType, text });
    return {
      content: [
        { type: 'text' as const, text: preview(text, maxChars) },
        {
          type: 'resource_link' as const,
          uri: `page://${page.id}`,
          name: `page-${page.id}`,
          description: `Full text of ${input.url} (${text.length} characters)`,
          mimeType,
          size: Buffer.byteLength(text),
        },
      ],
    };
  }

  @ResourceTemplate({
    uriTemplate: 'page://{id}',
    name: 'page',
    title: 'Scraped page',
    description: 'The full text of a page fetched by scrape_url.',
    mimeType: 'text/plain',
  })
  page(@Args('id') id: string) {
    const page = this.pages.get(id);
    if (!page)
      throw new ToolError('NOT_FOUND', `No page ${id}: it expired or never existed`, {
        suggestions: ['Call scrape_url again'],
        details: { uri: `page://${id}` },
      });
    return { text: page.text, mimeType: page.mimeType };
  }

  /**
   * Maps a failed fetch or body read to the error the client sees. An aborted fetch (deadline or
   * cancellation) is answered by the policy that aborted it (`TIMEOUT`) or by nobody (the client
   * has gone).
   */
  private fetchError(url: string, error: unknown, signal: AbortSignal): unknown {
    if (error instanceof ToolError) return error;
    if (signal.aborted)
      return new ToolError('CANCELLED', `The fetch of ${url} was cancelled`, { cause: error });
    // fetch() says only "fetch failed"; its cause names what happened (ENOTFOUND, ECONNREFUSED, bad port...).
    const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const reason =
      [cause?.code, cause?.message, (error as Error | undefined)?.message].find(
        (r): r is string => typeof r === 'string' && r.length > 0,
      ) ?? String(error);
    return new NetworkError(url, reason, error);
  }

  /** Reads the body up to `maxBytes` and decodes it with the charset the response names (UTF-8 otherwise). */
  private async readCapped(response: Response, contentType: string): Promise<string> {
    const tooLarge = () =>
      new ToolError('TOO_LARGE', `The page is larger than ${this.options.maxBytes} bytes`, {
        details: { maxBytes: this.options.maxBytes },
      });
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.options.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > this.options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return decoderFor(contentType).decode(Buffer.concat(chunks));
  }
}

function decoderFor(contentType: string): TextDecoder {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

/** The first `maxChars` characters, without splitting a surrogate pair. */
function preview(text: string, maxChars: number): string {
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
