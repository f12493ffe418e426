import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Most pages one `crawl_site` call fetches. */
export const MAX_CRAWL_PAGES = 100;
/** Pages `crawl_site` fetches when the call does not say. */
export const DEFAULT_CRAWL_PAGES = 20;

/** Arguments of `crawl_site`. */
export class CrawlSiteInput {
  @JSONSchema({
    description:
      'Absolute http(s) URL of the first page. Links are followed on its origin (scheme, host and port) only.',
  })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @JSONSchema({
    description: `Most pages fetched, the first included (default ${DEFAULT_CRAWL_PAGES}, at most ${MAX_CRAWL_PAGES}). A page that fails counts too.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CRAWL_PAGES)
  maxPages?: number;

  @JSONSchema({
    description: '`text` stores each page as text (default); `html` stores it sanitized.',
  })
  @IsOptional()
  @IsIn(['text', 'html'])
  format?: 'text' | 'html';
}
