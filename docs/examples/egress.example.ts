// The egress guide's example, compiled and run by test/docs/egress-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsUrl } from 'class-validator';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { CircuitBreaker, ResilienceModule, Retry } from '@rampart/resilience';
import {
  EgressNetworkError,
  EgressTimeoutError,
  SafeFetcher,
  SanitizeHtml,
  SecurityModule,
  type SafeFetcherOptions,
} from '@rampart/security';

export class PageInput {
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;
}

@Injectable()
export class PageTools {
  constructor(private readonly fetcher: SafeFetcher) {}

  @Tool({
    name: 'page_html',
    description: 'The HTML of a public web page, cleaned of scripts and styles.',
    annotations: { readOnlyHint: true, openWorldHint: true },
  })
  @Retry({ attempts: 3, initialDelayMs: 100, on: [EgressNetworkError, EgressTimeoutError] })
  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 })
  @SanitizeHtml()
  async pageHtml(@Args() input: PageInput, @Ctx() ctx: McpContext) {
    const page = await this.fetcher.get(input.url, { signal: ctx.signal });
    return page.body;
  }
}

/**
 * The app's module. `egress` names what the fetcher may reach beyond the public internet: here
 * the wiki of the intranet, by name; the tests add their loopback fixture and resolver.
 */
export function pagesModule(egress: SafeFetcherOptions = {}): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'pages', version: '1.0.0' }),
      ResilienceModule.forRoot({}),
      SecurityModule.forRoot({
        defaultAccess: 'public',
        egress: {
          maxBodyBytes: 2_097_152,
          ...egress,
          allow: ['wiki.intranet.example', ...(egress.allow ?? [])],
        },
        sanitize: { extraTags: ['img', 'blockquote'] },
      }),
    ],
    providers: [PageTools],
  })
  class PagesModule {}
  return { module: PagesModule };
}
