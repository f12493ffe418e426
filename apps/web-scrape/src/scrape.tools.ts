import { Injectable, Logger } from '@nestjs/common';
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/server';
import { Args, Ctx, isToolError, McpContext, Tool, ToolError } from '@rampart/core';
import { CircuitBreaker, RateLimit, Retry, Timeout } from '@rampart/resilience';
import { Cacheable, Offloader, type OffloadedStructuredContent } from '@rampart/resources';
import {
  HtmlSanitizer,
  isEgressNetworkError,
  isEgressTimeoutError,
  SafeFetcher,
  Scopes,
  type SafeResponse,
} from '@rampart/security';
import { htmlToText } from './html-to-text';
import { BatchScrapeInput, ScrapeUrlInput } from './scrape.dto';

/** Options of the scraper. */
export interface ScrapeOptions {
  /**
   * Time allowed for one attempt at a page (response and body), in milliseconds. A
   * `scrape_url` call as a whole, retries included, gets three times this; each page of a
   * `batch_scrape` gets this once.
   * @default 10000
   */
  timeoutMs: number;
  /**
   * Largest response body read, in bytes.
   * @default 5242880 (5 MiB)
   */
  maxBytes: number;
}

/** Characters `scrape_url` returns inline when the call does not say. */
export const DEFAULT_MAX_CHARS = 2000;
/** Characters of the preview of an offloaded page when the call does not say. */
export const DEFAULT_PREVIEW_CHARS = 500;
/** Characters `batch_scrape` returns inline per page when the call does not say. */
export const DEFAULT_BATCH_MAX_CHARS = 500;
/** Pages a `batch_scrape` call fetches at once. */
export const BATCH_CONCURRENCY = 4;

/**
 * Media types read as text: web pages, feeds and the text formats. Anything else (images, PDFs,
 * archives), and a response that declares no type, is refused before its body is read.
 */
export const TEXT_CONTENT_TYPES: readonly string[] = [
  'text/*',
  'application/xhtml+xml',
  'application/xml',
  'application/json',
  'application/ld+json',
  'application/javascript',
  'application/rss+xml',
  'application/atom+xml',
  '*/*+xml',
  '*/*+json',
];

/** The `Accept` header of a page request: HTML first. */
const ACCEPT = 'text/html, application/xhtml+xml, text/*;q=0.9, application/json;q=0.8, */*;q=0.1';

/** The upstream host of a call: one circuit breaker per host. */
export function upstreamHost(args: Record<string, unknown>): string {
  return new URL(String(args.url)).host;
}

/** Retried: a network failure or a timeout of an allowed upstream. */
const isUpstreamFailure = (error: unknown): boolean =>
  isEgressNetworkError(error) || isEgressTimeoutError(error);

/** A fetched page, ready to answer: its text, extracted or sanitized. */
export interface Page {
  text: string;
  /** `text/html` for sanitized HTML, `text/plain` for everything else. */
  mimeType: 'text/plain' | 'text/html';
}

/** One page of a `batch_scrape` answer. */
export type BatchItem =
  | { url: string; ok: true; text: string }
  | ({ url: string; ok: true } & OffloadedStructuredContent)
  | { url: string; ok: false; error: { code: string; message: string; retryable: boolean } };

/** The `structuredContent` of a `batch_scrape` answer. */
export interface BatchResult {
  [key: string]: unknown;
  /** One entry per URL, in the order given. */
  results: BatchItem[];
  succeeded: number;
  failed: number;
}

/**
 * The seed documents' web scraper.
 *
 * `scrape_url` fetches a page through the {@link SafeFetcher}, which refuses every loopback,
 * private, link-local and otherwise non-public target (the app's `EGRESS_ALLOW` names
 * exceptions), checks every redirect the same way, and reads only text types up to `maxBytes`.
 * HTML comes back as text, or sanitized with `format: 'html'`. A page longer than `maxChars` is
 * offloaded through `@rampart/resources`: the answer is a preview plus a resource link, signed for
 * the caller, to the whole page (`structuredContent`: `resource_id`, `resource_uri`, `preview`,
 * `size_bytes`, `expires_at`).
 *
 * Each caller gets a burst and a sustained rate limit; network errors and timeouts are retried
 * with decorrelated jitter; each upstream host has its own circuit breaker, so one dead site does
 * not stop the others; every attempt has a deadline that aborts `ctx.signal` (the fetch). A
 * refused target, a bad URL, a page too large or not text are the caller's faults: never retried,
 * never counted by a breaker. The app module can override the limits (`ResilienceModule`'s
 * `tools.scrape_url`).
 *
 * The same call again within `SCRAPE_CACHE_TTL_MS` (30 s by default) is answered from the
 * result cache (`@Cacheable`), without fetching: per caller with authentication, shared without.
 *
 * `batch_scrape` fetches up to 20 URLs, 4 at a time, each once with the same checks; each URL
 * gets its own result or error.
 */
@Injectable()
export class ScrapeTools {
  private readonly logger = new Logger('ScrapeTools');

  constructor(
    private readonly fetcher: SafeFetcher,
    private readonly sanitizer: HtmlSanitizer,
    private readonly offloader: Offloader,
    private readonly options: ScrapeOptions,
  ) {}

  @Scopes('scrape:read')
  @Tool({
    name: 'scrape_url',
    server: 'web-scrape',
    title: 'Scrape a web page',
    description:
      'Fetch a public web page over http(s) and return its text (or its sanitized HTML). Pages longer than maxChars come back as a preview plus a resource link to the whole page, readable by the caller with resources/read.',
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
    on: isUpstreamFailure,
  })
  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000, key: upstreamHost })
  @Timeout({ attemptMs: 10_000, overallMs: 30_000 })
  // Per URL, format and maxChars, and per caller; the app module sets the TTL
  // (SCRAPE_CACHE_TTL_MS) and makes it shared when the server runs without authentication.
  @Cacheable({ ttlMs: 30_000, scope: 'private' })
  async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
    ctx.progress(0.1, 'fetching');
    // The attempt's deadline (@Timeout) and the client's cancellation both abort ctx.signal; the
    // fetcher's own total timeout (three attempts' worth) is a backstop.
    const response = await this.fetch(input.url, ctx.signal, 3 * this.options.timeoutMs);
    ctx.progress(0.8, 'extracting');
    const page = this.extract(response, input.format);
    return this.answer(page, input.maxChars ?? DEFAULT_MAX_CHARS, ctx, input.maxChars);
  }

  @Scopes('scrape:read')
  @Tool({
    name: 'batch_scrape',
    server: 'web-scrape',
    title: 'Scrape several web pages',
    description:
      'Fetch up to 20 public web pages at once, 4 at a time, and return one result per URL: its text (or sanitized HTML), or a preview plus a resource link when longer than maxChars, or the error that URL met. One failed URL does not fail the others.',
    annotations: { readOnlyHint: true, openWorldHint: true },
  })
  // A batch counts as one call against limits of its own, sized in URLs like scrape_url's: one
  // full batch per 10 s (20 URLs, scrape_url's burst) and six a minute (120, its sustained rate).
  @RateLimit([
    { name: 'burst', points: 1, perMs: 10_000, key: 'identity' },
    { name: 'sustained', points: 6, perMs: 60_000, key: 'identity' },
  ])
  async batch(@Args() input: BatchScrapeInput, @Ctx() ctx: McpContext): Promise<CallToolResult> {
    const { urls } = input;
    // By index, so that the answer keeps the order of the URLs whatever order they finish in.
    const answers: { item: BatchItem; link?: ResourceLink }[] = [];
    let next = 0;
    let done = 0;
    ctx.progress(0, `fetching ${urls.length} pages`, urls.length);
    const worker = async (): Promise<void> => {
      while (next < urls.length && !ctx.signal.aborted) {
        const index = next++;
        answers[index] = await this.batchItem(urls[index], input, ctx);
        done++;
        ctx.progress(done, `${done} of ${urls.length} pages`, urls.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, urls.length) }, worker));
    // The client cancelled: it no longer waits for an answer, and the pages not started never are.
    if (ctx.signal.aborted)
      throw new ToolError('CANCELLED', `The batch was cancelled after ${done} pages`);
    const results = answers.map((a) => a.item);
    const links = answers.flatMap((a) => (a.link ? [a.link] : []));
    const failed = results.filter((r) => !r.ok).length;
    const structured: BatchResult = { results, succeeded: results.length - failed, failed };
    return {
      content: [{ type: 'text', text: JSON.stringify(structured) }, ...links],
      structuredContent: structured,
    };
  }

  /** One URL of a batch: its result, or its failure as data; never throws. */
  private async batchItem(
    url: string,
    input: BatchScrapeInput,
    ctx: McpContext,
  ): Promise<{ item: BatchItem; link?: ResourceLink }> {
    try {
      const response = await this.fetch(url, ctx.signal, this.options.timeoutMs);
      const page = this.extract(response, input.format);
      const maxChars = input.maxChars ?? DEFAULT_BATCH_MAX_CHARS;
      const answer = await this.answer(page, maxChars, ctx, maxChars);
      if (!('structuredContent' in answer)) return { item: { url, ok: true, text: page.text } };
      return {
        item: { url, ok: true, ...answer.structuredContent },
        link: answer.content[1],
      };
    } catch (error) {
      const failure = this.toolError(url, error, ctx.signal);
      return {
        item: {
          url,
          ok: false,
          error: { code: failure.code, message: failure.message, retryable: failure.retryable },
        },
      };
    }
  }

  /**
   * GETs `url` through the safe fetcher, as a text type of at most `maxBytes`; a non-2xx answer
   * is an `UPSTREAM_ERROR` (retryable for 5xx, 408 and 429). Every page of every tool is fetched
   * here (`crawl_site` too), under the one egress policy.
   */
  async fetch(url: string, signal: AbortSignal, totalTimeoutMs: number): Promise<SafeResponse> {
    let response: SafeResponse;
    try {
      response = await this.fetcher.get(url, {
        signal,
        totalTimeoutMs,
        maxBodyBytes: this.options.maxBytes,
        contentTypes: TEXT_CONTENT_TYPES,
        headers: { accept: ACCEPT },
      });
    } catch (error) {
      throw this.toolError(url, error, signal);
    }
    if (!response.ok) {
      const status = response.status;
      throw new ToolError('UPSTREAM_ERROR', `${url} answered HTTP ${status}`, {
        retryable: status >= 500 || status === 429 || status === 408,
        details: { status },
      });
    }
    return response;
  }

  /**
   * The page to answer: HTML as text (`format: 'text'`, the default) or sanitized
   * (`format: 'html'`); any other text type as served.
   */
  extract(response: SafeResponse, format: 'text' | 'html' = 'text'): Page {
    const isHtml = /html/.test(response.mediaType);
    if (!isHtml) return { text: response.body, mimeType: 'text/plain' };
    if (format === 'html')
      return { text: this.sanitizer.sanitize(response.body), mimeType: 'text/html' };
    return { text: htmlToText(response.body), mimeType: 'text/plain' };
  }

  /**
   * The page inline when it has `maxChars` characters or fewer; otherwise offloaded: stored for
   * the caller, and answered as a preview plus a signed link (`previewChars`, or 500).
   */
  private async answer(
    page: Page,
    maxChars: number,
    ctx: McpContext,
    previewChars = DEFAULT_PREVIEW_CHARS,
  ) {
    if (page.text.length <= maxChars)
      return { content: [{ type: 'text' as const, text: page.text }] };
    return this.offloader.offload(page.text, {
      owner: ctx.identity,
      previewChars,
      mimeType: page.mimeType,
    });
  }

  /**
   * A failure as the error the client sees: the fetcher's errors as they are (each says whose
   * fault it is); a fetch aborted by the client, `CANCELLED`; anything else an internal error,
   * logged here and never described to the client.
   */
  toolError(url: string, error: unknown, signal: AbortSignal): ToolError {
    if (isToolError(error)) return error;
    if (signal.aborted)
      return new ToolError('CANCELLED', `The fetch of ${url} was cancelled`, { cause: error });
    this.logger.error(`Fetching a page failed unexpectedly: ${String(error)}`);
    return new ToolError(
      'INTERNAL_ERROR',
      'The page could not be fetched because of an internal error',
      {
        cause: error,
      },
    );
  }
}
