import type { OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/** A fetched page kept for a while, readable as the resource `page://{id}`. */
export interface StoredPage {
  id: string;
  url: string;
  /** The upstream's `Content-Type`. */
  contentType: string;
  /** Media type of `text`: `text/plain` once extracted, `text/html` when kept as served. */
  mimeType: string;
  text: string;
  fetchedAt: number;
  expiresAt: number;
}

/** Options of the {@link PageStore}. */
export interface PageStoreOptions {
  /**
   * How long a page stays readable, in milliseconds.
   * @default 900000 (15 minutes)
   */
  ttlMs: number;
  /**
   * Most pages kept at once; the oldest is evicted first.
   * @default 500
   */
  maxPages: number;
}

/**
 * Keeps fetched pages in memory for `ttlMs`, at most `maxPages` of them (oldest evicted first).
 * Expiry is checked on access plus one unref'ed sweep, never a timer per page. The shared,
 * Redis-backed store with owner-bound signed links is the resources lib's job.
 *
 * Built by a factory provider in `AppModule` (its options are plain values, not providers).
 *
 * @example
 * const store = new PageStore({ ttlMs: 60_000 });
 * const { id } = store.put({ url, contentType: 'text/html', text });
 */
export class PageStore implements OnModuleDestroy {
  private readonly pages = new Map<string, StoredPage>();
  private readonly sweep: NodeJS.Timeout;
  private readonly ttlMs: number;
  private readonly maxPages: number;

  constructor(options: Partial<PageStoreOptions> = {}) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxPages = options.maxPages ?? 500;
    this.sweep = setInterval(() => this.prune(), 60_000);
    this.sweep.unref();
  }

  put(page: Omit<StoredPage, 'id' | 'fetchedAt' | 'expiresAt'>): StoredPage {
    const now = Date.now();
    const stored = { ...page, id: randomUUID(), fetchedAt: now, expiresAt: now + this.ttlMs };
    this.pages.set(stored.id, stored);
    while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
    return stored;
  }

  get(id: string): StoredPage | undefined {
    const page = this.pages.get(id);
    if (page && page.expiresAt <= Date.now()) {
      this.pages.delete(id);
      return undefined;
    }
    return page;
  }

  list(): StoredPage[] {
    this.prune();
    return [...this.pages.values()];
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, p] of this.pages) if (p.expiresAt <= now) this.pages.delete(id);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }
}
