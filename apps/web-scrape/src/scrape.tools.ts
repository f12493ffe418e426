import { Injectable } from '@nestjs/common';
import { Args, Ctx, McpContext, ResourceTemplate, Tool, ToolError } from '@rampart/core';
import { PageStore } from './page-store';
import { ScrapeUrlInput } from './scrape.dto';

/** Options of the scraper, from the environment in `AppModule`. */
export interface ScrapeOptions {
  /** Request timeout per fetch, in milliseconds. */
  timeoutMs: number;
  /** Largest response body read, in bytes. */
  maxBytes: number;
}

export const SCRAPE_OPTIONS = Symbol('SCRAPE_OPTIONS');

/** Strips tags, scripts and styles; collapses white space. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The seed documents' web scraper: `scrape_url` fetches a page and returns its text, keeping the
 * whole page as the resource `page://{id}` and only a preview inline when it is large.
 */
@Injectable()
export class ScrapeTools {
  constructor(
    private readonly pages: PageStore,
    private readonly options: ScrapeOptions,
  ) {}

  @Tool({
    name: 'scrape_url',
    title: 'Scrape a web page',
    description:
      'Fetch a public web page over http(s) and return its text. Pages longer than maxChars come back as a preview plus a page:// resource link holding the whole text.',
    annotations: { readOnlyHint: true, openWorldHint: true },
  })
  async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
    ctx.progress(0.1, 'fetching');
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(input.url, {
        signal: AbortSignal.any([ctx.signal, timeout]),
        redirect: 'follow',
        headers: { 'user-agent': 'rampart-web-scrape/0.1' },
      });
    } catch (error) {
      const timedOut = timeout.aborted;
      throw new ToolError(timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', `Could not fetch ${input.url}: ${timedOut ? 'timed out' : (error as Error).message}`, {
        retryable: true,
        suggestions: ['Check that the URL is reachable', 'Try again later'],
        cause: error,
      });
    }
    if (!response.ok)
      throw new ToolError('UPSTREAM_ERROR', `${input.url} answered HTTP ${response.status}`, {
        retryable: response.status >= 500 || response.status === 429,
        details: { status: response.status },
      });
    const body = await this.readCapped(response);
    ctx.progress(0.8, 'extracting');
    const contentType = response.headers.get('content-type') ?? 'text/html';
    const text = (input.format ?? 'text') === 'html' || !contentType.includes('html') ? body : htmlToText(body);
    const page = this.pages.put({ url: input.url, contentType, text });
    const maxChars = input.maxChars ?? 2000;
    const uri = `page://${page.id}`;
    if (text.length <= maxChars) return { content: [{ type: 'text' as const, text }] };
    return {
      content: [
        { type: 'text' as const, text: text.slice(0, maxChars) },
        {
          type: 'resource_link' as const,
          uri,
          name: `page-${page.id}`,
          description: `Full text of ${input.url} (${text.length} characters)`,
          mimeType: 'text/plain',
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
    if (!page) throw new ToolError('NOT_FOUND', `No page ${id}: it expired or never existed`, { suggestions: ['Call scrape_url again'] });
    return page.text;
  }

  private async readCapped(response: Response): Promise<string> {
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > this.options.maxBytes) {
        await reader.cancel();
        throw new ToolError('TOO_LARGE', `The page is larger than ${this.options.maxBytes} bytes`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
