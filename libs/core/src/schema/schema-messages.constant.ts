/** A DTO class, or a nested DTO class, has no class-validator decorator at all. */
export const DTO_METADATA_MISSING = (dto: string, usedBy?: string) =>
  `DTO ${dto}${usedBy ? ` (used by ${usedBy})` : ''} has no class-validator metadata. ` +
  `Add class-validator decorators to its properties (e.g. @IsString(), @IsInt(), @IsOptional(), ` +
  `@ValidateNested()) so that Rampart can build its JSON Schema and validate the arguments; ` +
  `properties without a decorator are stripped from the arguments.`;

/** A property has `@ValidateNested()` without the `@Type()` that makes class-transformer build it. */
export const NESTED_TYPE_MISSING = (dto: string, property: string) =>
  `${dto}.${property} has @ValidateNested() but no @Type() from class-transformer, so the nested ` +
  `value would stay a plain object and never be validated. Add @Type(() => TheNestedDto) to it.`;

/** A DTO was asked to validate something that is not a JSON object. */
export const ARGUMENTS_NOT_AN_OBJECT = (got: string) =>
  `The arguments must be a JSON object, got ${got}.`;

/** A JSON Schema could not be compiled. */
export const JSON_SCHEMA_INVALID = (where: string, problem: string) =>
  `Invalid JSON Schema${where ? ` for ${where}` : ''}: ${problem}`;

/** A JSON Schema declares a `$schema` dialect that Rampart cannot validate. */
export const JSON_SCHEMA_DIALECT_UNSUPPORTED = (dialect: string) =>
  `the dialect "${dialect}" is not supported; use JSON Schema 2020-12 (the MCP default), 2019-09 or draft-07.`;
