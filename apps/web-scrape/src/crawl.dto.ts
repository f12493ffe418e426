import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Most pages one `crawl_site` call fetches. */
export const MAX_CRAWL_PAGES = 100;
/** Pages `crawl_site` fetches when the call does not say. */
export const DEFAULT_CRAWL_PAGES = 20;

/** Arguments of `crawl_site`. */
export class CrawlSiteInput {
  @JSONSchema({
    description: 'Absolute http(s) URL of the first page; only links to its origin are followed.',
  })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @JSONSchema({
    description: `Most pages fetched, failed ones included (default ${DEFAULT_CRAWL_PAGES}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CRAWL_PAGES)
  maxPages?: number;

  @JSONSchema({
    description: '`text` (default) or sanitized `html`.',
  })
  @IsOptional()
  @IsIn(['text', 'html'])
  format?: 'text' | 'html';
}
