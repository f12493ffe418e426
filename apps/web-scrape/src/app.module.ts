import { Module, type DynamicModule } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { PageStore } from './page-store';
import { ScrapeTools, type ScrapeOptions } from './scrape.tools';

/** Options of the web-scrape app. */
export interface WebScrapeOptions {
  /** Serve on stdio instead of HTTP. */
  stdio?: boolean;
  scrape?: Partial<ScrapeOptions>;
}

/** The web-scrape example server. */
@Module({})
export class AppModule {
  static forRoot(options: WebScrapeOptions = {}): DynamicModule {
    const scrape: ScrapeOptions = { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024, ...options.scrape };
    return {
      module: AppModule,
      imports: [
        McpModule.forRoot({
          name: 'web-scrape',
          version: '0.1.0',
          instructions: 'Fetch web pages with scrape_url; read whole pages through their page:// links.',
          http: options.stdio ? false : { path: '/mcp' },
          stdio: options.stdio,
        }),
      ],
      providers: [
        PageStore,
        { provide: ScrapeTools, useFactory: (pages: PageStore) => new ScrapeTools(pages, scrape), inject: [PageStore] },
      ],
    };
  }
}
