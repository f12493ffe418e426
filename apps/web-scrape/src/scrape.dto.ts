import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  Max,
  Min,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Most URLs one `batch_scrape` call takes. */
export const MAX_BATCH_URLS = 20;

/** The URLs `scrape_url` and `batch_scrape` take: absolute http(s) URLs. */
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** Arguments of `scrape_url`. */
export class ScrapeUrlInput {
  @JSONSchema({ description: 'Absolute http(s) URL of a public web page.' })
  @IsUrl(URL_OPTIONS)
  url!: string;

  @JSONSchema({
    description:
      '`text` strips markup (default); `html` returns the page sanitized (scripts, styles, event handlers and other markup removed).',
  })
  @IsOptional()
  @IsIn(['text', 'html'])
  format?: 'text' | 'html';

  @JSONSchema({
    description:
      'Largest number of characters returned inline (default 2000). A longer page comes back as a preview of this many characters (500 when unset) plus a resource link to the whole page.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxChars?: number;
}

/** Arguments of `batch_scrape`. */
export class BatchScrapeInput {
  @JSONSchema({
    description: `Absolute http(s) URLs of public web pages, 1 to ${MAX_BATCH_URLS}; each is fetched once, at most 4 at a time.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_URLS)
  @IsUrl(URL_OPTIONS, { each: true })
  urls!: string[];

  @JSONSchema({
    description: '`text` strips markup (default); `html` returns each page sanitized.',
  })
  @IsOptional()
  @IsIn(['text', 'html'])
  format?: 'text' | 'html';

  @JSONSchema({
    description:
      'Largest number of characters returned inline per page (default 500). A longer page comes back as a preview of this many characters plus a resource link to the whole page.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxChars?: number;
}
