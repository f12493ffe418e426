import { IsIn, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Arguments of `scrape_url`. */
export class ScrapeUrlInput {
  @JSONSchema({ description: 'Absolute http(s) URL of the page to fetch.' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @JSONSchema({ description: '`text` strips markup (default); `html` returns the page as served.' })
  @IsOptional()
  @IsIn(['text', 'html'])
  format?: 'text' | 'html';

  @JSONSchema({ description: 'Largest number of characters returned inline (default 2000).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxChars?: number;
}
