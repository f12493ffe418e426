import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { JsonSchemaInvalidError } from './json-schema-invalid.error';
import type { JsonSchema } from './json-schema.interface';
import { JSON_SCHEMA_DIALECT_UNSUPPORTED } from './schema-messages.constant';
import { validationFailure } from './validation-failure';
import type { FieldIssue, ValidationResult } from './validation-result.interface';

/**
 * A compiled JSON Schema validator: checks a value and returns it as is, or the issues found.
 * Synchronous; it never throws for a bad value.
 *
 * @example
 * const check = compileJsonSchemaValidator<{ q: string }>(schema);
 * const result = check(args);
 */
export type JsonSchemaValidator<T = unknown> = (value: unknown) => ValidationResult<T>;

/**
 * Options of {@link compileJsonSchemaValidator}.
 *
 * @example
 * compileJsonSchemaValidator(schema, { where: `tool "${name}" output` });
 */
export interface JsonSchemaValidatorOptions {
  /**
   * Which schema this is, for the error message when it cannot be compiled,
   * e.g. `tool "search" input`.
   * @default ''
   */
  where?: string;
}

type Dialect = '2020-12' | '2019-09' | 'draft-07';

/** `$schema` URIs (without a trailing `#`) and the dialect each one declares. */
const DIALECTS = new Map<string, Dialect>([
  ['https://json-schema.org/draft/2020-12/schema', '2020-12'],
  ['https://json-schema.org/draft/2019-09/schema', '2019-09'],
  ['http://json-schema.org/draft-07/schema', 'draft-07'],
  ['https://json-schema.org/draft-07/schema', 'draft-07'],
]);

/**
 * Engine options: every error rather than the first; keywords Ajv does not know (vendor
 * extensions) and formats it does not know are ignored, silently (`format` is an annotation in
 * 2020-12; the formats of ajv-formats, `uri`, `email`, `uuid`, `date-time`, ..., are asserted);
 * only own properties count, so `required: ['toString']` is not met by the prototype.
 */
const ENGINE_OPTIONS: Options = {
  strict: false,
  allErrors: true,
  logger: false,
  ownProperties: true,
};

/** Longest value the `url` format accepts, as class-validator's `isURL` (and browsers) allow. */
const MAX_URL_LENGTH = 2_083;
const URL_FORMAT = fullFormats.url as RegExp;

/**
 * ajv-formats' `url` format, for values of at most 2,083 characters. Its pattern backtracks over
 * a caller's string in time quadratic in its length (`http://a` then `a:` repeated: about 100 ms
 * at 20 KB, seconds within a 4 MB body), on the event loop of every caller; a bound on the length
 * keeps each check under a millisecond.
 */
function isBoundedUrl(value: string): boolean {
  return value.length <= MAX_URL_LENGTH && URL_FORMAT.test(value);
}

/** One engine per dialect, made on first use and shared by every compiled schema. */
const engines = new Map<Dialect, AjvCore>();

function engineFor(dialect: Dialect): AjvCore {
  let engine = engines.get(dialect);
  if (!engine) {
    const Engine = dialect === '2020-12' ? Ajv2020 : dialect === '2019-09' ? Ajv2019 : Ajv;
    engine = new Engine(ENGINE_OPTIONS);
    addFormats(engine);
    engine.addFormat('url', { type: 'string', validate: isBoundedUrl });
    engines.set(dialect, engine);
  }
  return engine;
}

/** The dialect a schema declares: 2020-12 when it declares none, as MCP specifies. */
function dialectOf(schema: JsonSchema, where: string): Dialect {
  if (schema.$schema === undefined) return '2020-12';
  const declared = String(schema.$schema).replace(/#$/, '');
  const dialect = DIALECTS.get(declared);
  if (!dialect) {
    throw new JsonSchemaInvalidError(
      JSON_SCHEMA_DIALECT_UNSUPPORTED(String(schema.$schema)),
      where,
    );
  }
  return dialect;
}

/**
 * Compiles on the shared engine, then forgets the schema there (the compiled function keeps
 * what it needs): the engine does not grow with every schema compiled, and two schemas with
 * the same `$id` do not clash.
 */
function compileOnce(dialect: Dialect, schema: JsonSchema): ValidateFunction {
  const engine = engineFor(dialect);
  try {
    return engine.compile(schema);
  } catch (error) {
    // A failed compile can leave partial state behind: start the next one on a fresh engine.
    engines.delete(dialect);
    throw error;
  } finally {
    engine.removeSchema(schema);
  }
}

/** The segments of a JSON Pointer (`/tags/1` → `['tags', '1']`). */
const pointerSegments = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** A path in Rampart's form (`address.city`, `tags[1]`), reading the value to tell indexes. */
function toPath(segments: string[], value: unknown): string {
  let path = '';
  let node = value;
  for (const segment of segments) {
    path = Array.isArray(node) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[segment]
        : undefined;
  }
  return path;
}

/** The property an error is about when Ajv reports it on the parent object. */
function namedProperty(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  const name =
    params.missingProperty ??
    params.additionalProperty ??
    params.unevaluatedProperty ??
    params.propertyName;
  return typeof name === 'string' ? name : undefined;
}

function toIssue(error: ErrorObject, value: unknown): FieldIssue {
  const segments = pointerSegments(error.instancePath);
  const property = namedProperty(error);
  const path = toPath(property === undefined ? segments : [...segments, property], value);
  const label = path || 'value';
  const params = error.params as Record<string, unknown>;
  let message: string;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
      message = `${label} is required`;
      break;
    case 'additionalProperties':
    case 'unevaluatedProperties':
      message = `${label} is not allowed`;
      break;
    case 'enum':
      message = `${label} must be one of ${(params.allowedValues as unknown[])
        .map((v) => JSON.stringify(v))
        .join(', ')}`;
      break;
    case 'const':
      message = `${label} must be ${JSON.stringify(params.allowedValue)}`;
      break;
    default:
      message = `${label} ${error.message ?? 'is invalid'}`;
  }
  return { path, message, constraint: error.keyword };
}

/**
 * Compiles a JSON Schema into a validator, once, at boot: for tools declared with a JSON Schema
 * instead of a DTO, and for output schemas. Ajv with ajv-formats, in the schema's own dialect:
 * 2020-12 when `$schema` is absent (MCP's default), 2019-09 or draft-07 when declared.
 *
 * The value is returned as is: no defaults, no coercion, no stripping. Issues carry paths such as
 * `address.city` or `tags[1]` (`''` for the value itself) and the failed keyword as `constraint`.
 *
 * @throws JsonSchemaInvalidError when the schema breaks its meta-schema, has a `$ref` that does
 * not resolve, or declares another dialect.
 *
 * @example
 * const check = compileJsonSchemaValidator({
 *   type: 'object',
 *   properties: { tags: { type: 'array', items: { type: 'string' } } },
 *   required: ['tags'],
 * });
 * check({ tags: ['a', 2] });
 * // { ok: false, issues: [{ path: 'tags[1]', message: 'tags[1] must be string', constraint: 'type' }] }
 */
export function compileJsonSchemaValidator<T = unknown>(
  schema: JsonSchema,
  options: JsonSchemaValidatorOptions = {},
): JsonSchemaValidator<T> {
  const where = options.where ?? '';
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new JsonSchemaInvalidError('a schema must be a JSON object', where);
  }
  const dialect = dialectOf(schema, where);
  let validate: ValidateFunction;
  try {
    validate = compileOnce(dialect, schema);
  } catch {
    // The shared engine may have held something that clashed: try once on a fresh one.
    try {
      validate = compileOnce(dialect, schema);
    } catch (error) {
      throw new JsonSchemaInvalidError(
        error instanceof Error ? error.message : String(error),
        where,
        error,
      );
    }
  }
  return (value: unknown): ValidationResult<T> =>
    validate(value)
      ? { ok: true, value: value as T }
      : validationFailure(validate.errors ?? [], (error) => toIssue(error, value));
}
