import { Injectable } from '@nestjs/common';
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/server';
import { Args, Ctx, McpContext, Tool, ToolError } from '@rampart/core';
import { RateLimit } from '@rampart/resilience';
import { Offloader } from '@rampart/resources';
import { Scopes } from '@rampart/security';
import { Task } from '@rampart/tasks';
import { CrawlSiteInput, DEFAULT_CRAWL_PAGES } from './crawl.dto';
import { pageLinks } from './links';
import { ScrapeTools, type ScrapeOptions } from './scrape.tools';

/** Pages a `crawl_site` call fetches at once. */
export const CRAWL_CONCURRENCY = 4;
/** Characters of each crawled page's preview in the answer. */
export const CRAWL_PREVIEW_CHARS = 200;
/**
 * Most distinct URLs a crawl remembers of its site, and of other origins. The pages choose their
 * links, and a page of a few megabytes carries hundreds of thousands: remembered without a bound,
 * 100 such pages held tens of millions of URLs for one call. A crawl fetches at most 100 pages.
 */
export const MAX_CRAWL_URLS = 10_000;

/** A page `crawl_site` fetched and stored. */
export interface CrawledPage {
  /** The URL asked for. */
  url: string;
  /** The URL answered, after redirects on the same origin; absent when it is `url`. */
  finalUrl?: string;
  /** The signed link to the whole page (text or sanitized HTML), for `resources/read`. */
  resource_uri: string;
  resource_id: string;
  size_bytes: number;
  preview: string;
  /** Links to other pages of the origin that the page has. */
  links: number;
}

/** A page `crawl_site` could not fetch, and why. */
export interface CrawlFailure {
  url: string;
  error: { code: string; message: string; retryable: boolean };
}

/** The `structuredContent` of a `crawl_site` answer. */
export interface CrawlResult {
  [key: string]: unknown;
  /** The first page's URL, as given. */
  start: string;
  /** The pages fetched and stored, in the order they were found. */
  pages: CrawledPage[];
  /** The pages that failed (refused targets included), in the order they were found. */
  failures: CrawlFailure[];
  fetched: number;
  failed: number;
  /** Distinct links to other origins, never fetched (counted up to 10,000). */
  offSiteLinks: number;
  /** Pages of the origin found but not fetched, because of `maxPages` (counted up to 10,000). */
  notFetched: number;
  /** When the stored pages and their links expire (ISO 8601); absent when none was stored. */
  expires_at?: string;
}

/** What one page of a crawl came to. */
type Visit =
  | { ok: true; page: CrawledPage; link: ResourceLink; found: string[]; expiresAt: string }
  | { ok: false; failure: CrawlFailure };

/**
 * `crawl_site`: from one page, the pages of its origin that links lead to, breadth first, up
 * to `maxPages`, four at a time. It runs as a task (the tasks extension, a 2025-11-25
 * task-augmented call, or a handle and the status tools for other clients): its progress is the
 * task's status message, and cancelling the task stops it (no page is queued any more, and the
 * fetches in flight are aborted).
 *
 * Every page is fetched by `scrape_url`'s own code ({@link ScrapeTools.fetch}): the same
 * `SafeFetcher` and egress policy, every redirect checked, text types only, `maxBytes`, the
 * per-page timeout. Links are read from the HTML with htmlparser2, resolved against the page
 * (or its `<base href>`), without fragments, each followed once, and only on the first page's
 * origin; a page that redirects to another origin is reported as a failure and its links are
 * not followed. Each page is stored through `@rampart/resources` for the caller, as
 * `scrape_url` stores a long page, and the answer lists their resource links with the counts.
 */
@Injectable()
export class CrawlTools {
  constructor(
    private readonly scraper: ScrapeTools,
    private readonly offloader: Offloader,
    private readonly options: ScrapeOptions,
  ) {}

  @Scopes('scrape:read')
  @Tool({
    name: 'crawl_site',
    server: 'web-scrape',
    title: 'Crawl a web site',
    description:
      'Fetch a public web page and the pages of its site (same scheme, host and port) that links lead to, up to maxPages, 4 at a time. Runs as a task; a client without tasks gets a taskId for get_task_status and get_task_result. Result: a resource link per stored page, failures, counts.',
    annotations: { readOnlyHint: true, openWorldHint: true },
    execution: { taskSupport: 'required' },
  })
  @Task({ pollIntervalMs: 1_000 })
  // A crawl counts as one call against limits of its own, as a batch does: one per 10 s, six
  // a minute per caller (up to 600 pages).
  @RateLimit([
    { name: 'burst', points: 1, perMs: 10_000, key: 'identity' },
    { name: 'sustained', points: 6, perMs: 60_000, key: 'identity' },
  ])
  async crawl(@Args() input: CrawlSiteInput, @Ctx() ctx: McpContext): Promise<CallToolResult> {
    const maxPages = input.maxPages ?? DEFAULT_CRAWL_PAGES;
    const start = new URL(input.url);
    start.hash = '';
    const origin = start.origin;
    // Every URL of the origin seen so far, in the order found: the crawl's frontier and its order.
    const found = new Map<string, number>([[start.href, 0]]);
    const queue: string[] = [start.href];
    const offSite = new Set<string>();
    const visits = new Map<string, Visit>();
    const running = new Set<Promise<void>>();
    let started = 0;
    let done = 0;

    const see = (url: string) => {
      if (new URL(url).origin !== origin) {
        if (offSite.size < MAX_CRAWL_URLS) offSite.add(url);
      } else if (!found.has(url) && found.size < MAX_CRAWL_URLS) {
        found.set(url, found.size);
        queue.push(url);
      }
    };
    const visit = async (url: string) => {
      const result = await this.visit(url, origin, input, ctx);
      visits.set(url, result);
      if (result.ok) {
        if (result.page.finalUrl && !found.has(result.page.finalUrl))
          found.set(result.page.finalUrl, found.size);
        for (const link of result.found) see(link);
      }
      done++;
      const failed = [...visits.values()].filter((v) => !v.ok).length;
      ctx.progress(
        done,
        `${done} of at most ${maxPages} pages crawled (${failed} failed), ${queue.length} queued`,
        Math.min(maxPages, found.size),
      );
    };

    ctx.progress(0, `crawling ${start.href}`, 1);
    while (!ctx.signal.aborted) {
      while (queue.length && running.size < CRAWL_CONCURRENCY && started < maxPages) {
        started++;
        const run = visit(queue.shift()!).finally(() => running.delete(run));
        running.add(run);
      }
      if (!running.size) break;
      await Promise.race(running);
    }
    // Cancelled: nothing more is queued, and the fetches in flight were aborted with ctx.signal.
    if (ctx.signal.aborted) {
      await Promise.allSettled(running);
      throw new ToolError('CANCELLED', `The crawl was cancelled after ${done} pages`, {
        fault: 'caller',
      });
    }
    const order = (url: string) => found.get(url) ?? Number.MAX_SAFE_INTEGER;
    const ordered = [...visits].sort(([a], [b]) => order(a) - order(b)).map(([, v]) => v);
    const stored = ordered.flatMap((v) => (v.ok ? [v] : []));
    const failures = ordered.flatMap((v) => (v.ok ? [] : [v.failure]));
    const result: CrawlResult = {
      start: input.url,
      pages: stored.map((v) => v.page),
      failures,
      fetched: stored.length,
      failed: failures.length,
      offSiteLinks: offSite.size,
      notFetched: queue.length,
      ...(stored.length && { expires_at: stored[0].expiresAt }),
    };
    return {
      content: [{ type: 'text', text: JSON.stringify(result) }, ...stored.map((v) => v.link)],
      structuredContent: result,
    };
  }

  /** One page: fetched, its links read, stored; or its failure as data. Never throws. */
  private async visit(
    url: string,
    origin: string,
    input: CrawlSiteInput,
    ctx: McpContext,
  ): Promise<Visit> {
    try {
      const response = await this.scraper.fetch(url, ctx.signal, this.options.timeoutMs);
      const finalUrl = new URL(response.url);
      finalUrl.hash = '';
      if (finalUrl.origin !== origin)
        throw new ToolError(
          'OFF_SITE_REDIRECT',
          `${url} redirected to another site (${finalUrl.origin}); its links are not followed`,
          { fault: 'upstream' },
        );
      const found = /html/.test(response.mediaType) ? pageLinks(response.body, finalUrl.href) : [];
      const page = this.scraper.extract(response, input.format);
      const offloaded = await this.offloader.offload(page.text, {
        owner: ctx.identity,
        previewChars: CRAWL_PREVIEW_CHARS,
        mimeType: page.mimeType,
        name: finalUrl.href,
      });
      const { resource_uri, resource_id, size_bytes, preview, expires_at } =
        offloaded.structuredContent;
      return {
        ok: true,
        page: {
          url,
          ...(finalUrl.href !== url && { finalUrl: finalUrl.href }),
          resource_uri,
          resource_id,
          size_bytes,
          preview,
          links: found.filter((l) => new URL(l).origin === origin).length,
        },
        link: offloaded.content[1],
        found,
        expiresAt: expires_at,
      };
    } catch (error) {
      const failure = this.scraper.toolError(url, error, ctx.signal);
      return {
        ok: false,
        failure: {
          url,
          error: { code: failure.code, message: failure.message, retryable: failure.retryable },
        },
      };
    }
  }
}
