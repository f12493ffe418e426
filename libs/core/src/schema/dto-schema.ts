import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import {
  IS_DATE_STRING,
  IS_EMPTY,
  IS_ENUM,
  IS_IN,
  IS_INT,
  IS_ISO8601,
  IS_NOT_EMPTY,
  IS_URL,
  ValidationTypes,
} from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type {
  ISchemaConverters,
  SchemaConverter,
} from 'class-validator-jsonschema/build/defaultConverters';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { DtoMetadataMissingError } from './dto-metadata-missing.error';
import {
  getValidationMetadatas,
  isDtoClass,
  resolveNestedTarget,
  transformerStorage,
  type NestedTarget,
} from './dto-metadata.util';
import type { JsonObjectSchema, JsonSchema } from './json-schema.interface';

/**
 * class-validator-jsonschema's `@JSONSchema()` decorator, to add what decorators cannot say:
 * `description`, `examples`, `title`, `default`, ... On a property it merges into that
 * property's schema; on a class, into the class's object schema. A function receives the
 * generated schema and returns the one to use instead.
 *
 * @example
 * class SearchInput {
 *   @JSONSchema({ description: 'Words to look for', examples: ['nestjs guards'] })
 *   @IsString()
 *   query!: string;
 * }
 */
export { JSONSchema } from 'class-validator-jsonschema';

/**
 * The `$schema` of every generated schema: JSON Schema 2020-12, MCP's default dialect.
 *
 * @example
 * buildInputSchema(SearchInput).$schema === JSON_SCHEMA_2020_12; // true
 */
export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** Where recursive DTOs are defined in a generated schema. */
const DEFS_POINTER = '#/$defs/';

/**
 * Marks a node that `@IsInt()` constrained: class-validator-jsonschema merges the schemas of a
 * property's decorators in decorator order, so `@Min()` after `@IsInt()` would turn `integer`
 * back into `number`. The mark survives the merge and is resolved (then removed) afterwards.
 */
const INTEGER_MARK = 'x-rampart-integer';

type ConverterResult = ReturnType<SchemaConverter>;
type ConverterOptions = NonNullable<Parameters<typeof targetConstructorToSchema>[1]>;

const asConverted = (schema: JsonSchema): ConverterResult => schema as ConverterResult;

const designTypeOf = (meta: ValidationMetadata): unknown =>
  typeof meta.target === 'function'
    ? Reflect.getMetadata('design:type', meta.target.prototype, meta.propertyName)
    : undefined;

/** The schema of a constant list of values (`@IsIn()`, `@IsEnum()`), typed when it is uniform. */
function enumSchema(values: unknown[]): JsonSchema {
  const unique = [...new Set(values)];
  if (unique.length > 0 && unique.every((v) => typeof v === 'string')) {
    return { type: 'string', enum: unique };
  }
  if (unique.length > 0 && unique.every((v) => typeof v === 'number')) {
    return { type: unique.every(Number.isInteger) ? 'integer' : 'number', enum: unique };
  }
  if (unique.length > 0 && unique.every((v) => typeof v === 'boolean')) {
    return { type: 'boolean', enum: unique };
  }
  return { enum: unique };
}

/**
 * The values of a TypeScript enum (or of a plain object used as one), without the reverse
 * mappings that numeric enums add (`{ A: 1, '1': 'A' }` gives `[1]`).
 */
function enumValues(entity: Record<string, unknown>): unknown[] {
  return Object.keys(entity)
    .filter((key) => {
      const value = entity[key];
      const isReverseMapping =
        typeof value === 'string' &&
        typeof entity[value] === 'number' &&
        String(entity[value]) === key;
      return !isReverseMapping;
    })
    .map((key) => entity[key]);
}

/** The schema of a value whose class class-transformer builds but that is not a DTO. */
function builtInSchema(type: Function): JsonSchema {
  if (type === String) return { type: 'string' };
  if (type === Number) return { type: 'number' };
  if (type === Boolean) return { type: 'boolean' };
  if (type === Date) return { type: 'string', format: 'date-time' };
  if (type === Array || type === Set) return { type: 'array' };
  return {};
}

/** Keywords in the order a generated schema lists them; any other keyword follows, as found. */
const KEYWORD_ORDER = [
  '$schema',
  '$id',
  '$ref',
  'type',
  'title',
  'description',
  'format',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'default',
  'examples',
  '$defs',
];
const KEYWORD_RANK = new Map(KEYWORD_ORDER.map((keyword, rank) => [keyword, rank]));
/** Keywords whose value is a schema, a list of schemas, or a map of name to schema. */
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not']);
const SUBSCHEMA_LISTS = new Set(['prefixItems', 'anyOf', 'oneOf', 'allOf']);
const SUBSCHEMA_MAPS = new Set(['properties', '$defs']);

/**
 * Returns a copy of a generated schema in canonical form: keywords in {@link KEYWORD_ORDER}
 * (so the output does not depend on the order of the decorators), `@IsInt()`'s
 * {@link INTEGER_MARK} turned into `type: 'integer'`. Property names keep their order.
 */
function canonical(schema: JsonSchema): JsonSchema {
  const entries = Object.entries(schema).filter(([key]) => key !== INTEGER_MARK);
  entries.sort(
    ([a], [b]) =>
      (KEYWORD_RANK.get(a) ?? KEYWORD_ORDER.length) - (KEYWORD_RANK.get(b) ?? KEYWORD_ORDER.length),
  );
  const result: JsonSchema = {};
  for (const [key, value] of entries) {
    if (SUBSCHEMA.has(key) && value && typeof value === 'object') {
      result[key] = canonical(value as JsonSchema);
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      result[key] = value.map((item: JsonSchema) => canonical(item));
    } else if (SUBSCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      result[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [
          name,
          canonical(sub),
        ]),
      );
    } else {
      result[key] = value;
    }
  }
  // Only over `number` (set by @Min(), @IsNumber(), ...): a type set by @JSONSchema() stands.
  if (schema[INTEGER_MARK] === true && (result.type === 'number' || result.type === undefined)) {
    result.type = 'integer';
  }
  return result;
}

/** The depth of a class in its prototype chain: base classes first when sorted ascending. */
function classDepth(target: unknown): number {
  let depth = 0;
  for (let t = target; typeof t === 'function' && t !== Function.prototype;) {
    depth++;
    t = Object.getPrototypeOf(t);
  }
  return depth;
}

/**
 * Property names of a DTO in declaration order, base classes' properties first, renamed as
 * class-transformer's `@Expose({ name })` renames them.
 */
function declarationOrder(dto: Function): string[] {
  const metas = getValidationMetadatas(dto)
    .map((meta, index) => ({ meta, index, depth: classDepth(meta.target) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index);
  const names: string[] = [];
  for (const { meta } of metas) {
    const exposed =
      typeof meta.target === 'function'
        ? transformerStorage
            .getExposedMetadatas(meta.target)
            .find((m) => m.propertyName === meta.propertyName)?.options.name
        : undefined;
    const name = exposed ?? meta.propertyName;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Builds the schema of one root DTO; holds the state of that one build. */
class DtoSchemaBuilder {
  /** Classes whose schema is being built, outermost first: a class met again here recurses. */
  private readonly stack: Function[] = [];
  /** `$defs` keys of the classes that recurse (the root excepted: it is `#`). */
  private readonly defKeys = new Map<Function, string>();
  private readonly defs: Record<string, JsonSchema> = {};
  private readonly options: Partial<ConverterOptions>;

  constructor(private readonly root: Function) {
    this.options = {
      classTransformerMetadataStorage: transformerStorage,
      refPointerPrefix: DEFS_POINTER,
      additionalConverters: this.converters(),
    };
  }

  build(): JsonObjectSchema {
    const {
      $schema: _dialect,
      type: _object,
      properties,
      required,
      ...rest
    } = this.classSchema(this.root);
    const schema: JsonSchema = {
      ...rest,
      $schema: JSON_SCHEMA_2020_12,
      type: 'object',
      properties: properties ?? {},
    };
    if (required && required.length > 0) schema.required = required;
    if (Object.keys(this.defs).length > 0) schema.$defs = this.defs;
    return canonical(schema) as JsonObjectSchema;
  }

  /** The object schema of a DTO class, or a `$ref` when the class recurses. */
  private classSchema(dto: Function, usedBy?: string): JsonSchema {
    if (dto === this.root && this.stack.length > 0) return { $ref: '#' };
    const known = this.defKeys.get(dto);
    if (known !== undefined) return { $ref: DEFS_POINTER + known };
    if (this.stack.includes(dto)) return { $ref: DEFS_POINTER + this.defKeyOf(dto) };
    if (getValidationMetadatas(dto).length === 0) {
      throw new DtoMetadataMissingError(dto, undefined, usedBy);
    }

    this.stack.push(dto);
    let generated: JsonSchema;
    try {
      generated = targetConstructorToSchema(dto, this.options) as JsonSchema;
    } finally {
      this.stack.pop();
    }
    const schema = this.ordered(dto, generated);

    const defKey = this.defKeys.get(dto);
    if (defKey === undefined) return schema;
    this.defs[defKey] = schema;
    return { $ref: DEFS_POINTER + defKey };
  }

  /** A unique `$defs` key for a recursive class: its name, suffixed when two classes share it. */
  private defKeyOf(dto: Function): string {
    const base = (dto.name || 'Dto').replace(/[^A-Za-z0-9_.-]/g, '_');
    const taken = new Set(this.defKeys.values());
    let key = base;
    for (let i = 2; taken.has(key); i++) key = `${base}_${i}`;
    this.defKeys.set(dto, key);
    return key;
  }

  /** Puts properties (and `required`) in declaration order. */
  private ordered(dto: Function, schema: JsonSchema): JsonSchema {
    const properties = schema.properties ?? {};
    const names = declarationOrder(dto).filter((name) => name in properties);
    for (const name of Object.keys(properties)) if (!names.includes(name)) names.push(name);
    const result: JsonSchema = { ...schema, properties: {} };
    for (const name of names) result.properties![name] = properties[name];
    if (schema.required) {
      const required = new Set(schema.required);
      result.required = names.filter((name) => required.has(name));
    }
    return result;
  }

  /** The schema of what a `@ValidateNested()` property holds. */
  private nestedSchema(target: NestedTarget, usedBy: string): JsonSchema {
    if (target.kind === 'dynamic') return {};
    if (target.kind === 'class') {
      return isDtoClass(target.type)
        ? this.classSchema(target.type, usedBy)
        : builtInSchema(target.type);
    }
    return {
      oneOf: target.subTypes.map(({ name, type }) => {
        const tag: JsonSchema = { type: 'string', const: name };
        const schema = isDtoClass(type) ? this.classSchema(type, usedBy) : builtInSchema(type);
        if (schema.$ref) {
          return {
            $ref: schema.$ref,
            properties: { [target.property]: tag },
            required: [target.property],
          };
        }
        return {
          ...schema,
          properties: { [target.property]: tag, ...schema.properties },
          required: [
            target.property,
            ...(schema.required ?? []).filter((r) => r !== target.property),
          ],
        };
      }),
    };
  }

  /** Converters that replace class-validator-jsonschema's where its output is not what MCP needs. */
  private converters(): ISchemaConverters {
    const stringFormat =
      (format: string): SchemaConverter =>
      () =>
        asConverted({ type: 'string', format });

    return {
      // Inline nested DTOs (no `#/definitions`), following `@Type()` as class-transformer does.
      [ValidationTypes.NESTED_VALIDATION]: (meta) => {
        const owner = this.stack[this.stack.length - 1] ?? (meta.target as Function);
        const usedBy = `${owner.name}.${meta.propertyName}`;
        const element = this.nestedSchema(resolveNestedTarget(owner, meta.propertyName), usedBy);
        if (!meta.each) {
          // class-validator validates every element of an array, set or map even without `each`.
          const design = designTypeOf(meta);
          if (design === Array || design === Set)
            return asConverted({ type: 'array', items: element });
          if (design === Map) return asConverted({ type: 'object', additionalProperties: element });
        }
        return asConverted(element);
      },
      // Custom constraints: the TypeScript type when it is a primitive, never a `$ref` to a class.
      [ValidationTypes.CUSTOM_VALIDATION]: (meta) => {
        const design = designTypeOf(meta);
        return asConverted(meta.each || typeof design !== 'function' ? {} : builtInSchema(design));
      },
      [IS_INT]: () => asConverted({ type: 'integer', [INTEGER_MARK]: true }),
      [IS_URL]: stringFormat('uri'),
      [IS_DATE_STRING]: stringFormat('date-time'),
      [IS_ISO8601]: stringFormat('date-time'),
      [IS_ENUM]: (meta) => asConverted(enumSchema(enumValues(meta.constraints[0] ?? {}))),
      [IS_IN]: (meta) => asConverted(enumSchema([...(meta.constraints[0] ?? [])])),
      [IS_EMPTY]: () => asConverted({ anyOf: [{ type: 'string', const: '' }, { type: 'null' }] }),
      [IS_NOT_EMPTY]: (meta) =>
        asConverted(
          !meta.each && designTypeOf(meta) === String
            ? { type: 'string', minLength: 1 }
            : { minLength: 1 },
        ),
    };
  }
}

/**
 * Generates the JSON Schema (2020-12) of a class-validator DTO, as MCP's `inputSchema` (or
 * `outputSchema`) wants it: `type: 'object'`, `properties` in declaration order, `required`
 * for every property without `@IsOptional()` (left out when empty), `additionalProperties`
 * unset unless `@JSONSchema()` on the class sets it. Call it once per DTO at boot: it walks
 * metadata, it does not cache.
 *
 * - Nested DTOs (`@ValidateNested()` + `@Type(() => Dto)`) are inlined. A DTO that contains
 *   itself, directly or not, is the one exception: the root becomes `{ $ref: '#' }`, any other
 *   recursive DTO is defined once in `$defs` and referenced as `#/$defs/Name`.
 * - `@IsArray()` + `@IsString({ each: true })` gives `{ type: 'array', items: { type: 'string' } }`.
 * - `@IsEnum()` and `@IsIn()` give `enum` (numeric enums without their reverse mappings).
 * - Formats: `@IsUrl()` → `uri`, `@IsEmail()` → `email`, `@IsUUID()` → `uuid`,
 *   `@IsDateString()` / `@IsISO8601()` → `date-time`.
 * - `@IsInt()` gives `integer` whatever the order of `@Min()` / `@Max()` beside it.
 * - Descriptions and examples come from `@JSONSchema({ description, examples })`.
 *
 * @throws DtoMetadataMissingError when the DTO (or a nested DTO) has no class-validator
 * decorator, or a `@ValidateNested()` property has no `@Type()`.
 *
 * @example
 * class ScrapeUrlInput {
 *   @IsUrl() url!: string;
 *   @IsOptional() @IsIn(['text', 'html']) format?: 'text' | 'html';
 * }
 * buildInputSchema(ScrapeUrlInput);
 * // {
 * //   $schema: 'https://json-schema.org/draft/2020-12/schema',
 * //   type: 'object',
 * //   properties: {
 * //     url: { type: 'string', format: 'uri' },
 * //     format: { type: 'string', enum: ['text', 'html'] },
 * //   },
 * //   required: ['url'],
 * // }
 */
export function buildInputSchema(dto: Type<any>): JsonObjectSchema {
  return new DtoSchemaBuilder(dto).build();
}
