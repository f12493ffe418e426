import { IsBoolean, IsOptional } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Arguments of `purge_pages`. */
export class PurgePagesInput {
  @JSONSchema({
    description:
      "true: only the pages you stored; false (default): every page of your tenant's callers.",
  })
  @IsOptional()
  @IsBoolean()
  mine?: boolean;
}
