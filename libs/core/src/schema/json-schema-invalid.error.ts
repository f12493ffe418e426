import { McpDefinitionError } from '../errors/mcp-definition.error';
import { JSON_SCHEMA_INVALID } from './schema-messages.constant';

const BRAND = Symbol.for('rampart.JsonSchemaInvalidError');

/**
 * A JSON Schema given by hand (a tool's `input` / `output`, or a gateway's upstream tool)
 * cannot be compiled: it breaks its meta-schema, has a `$ref` that does not resolve, or declares
 * a dialect that is not supported. Found when the validator is compiled, at boot.
 *
 * It is a {@link McpDefinitionError}: `isMcpDefinitionError()` is true for it as well.
 *
 * @example
 * compileJsonSchemaValidator({ type: 'strng' });
 * // throws JsonSchemaInvalidError: "Invalid JSON Schema: schema is invalid: data/type must be ..."
 */
export class JsonSchemaInvalidError extends McpDefinitionError {
  readonly [BRAND] = true;

  constructor(
    /** What was wrong, as the validator engine put it. */
    readonly problem: string,
    /** Which schema it was, e.g. `tool "search" input`; empty when unknown. */
    readonly where = '',
    cause?: unknown,
  ) {
    super(JSON_SCHEMA_INVALID(where, problem), cause === undefined ? undefined : { cause });
  }
}

/**
 * Whether `e` is a {@link JsonSchemaInvalidError}, across copies of the package.
 *
 * @example
 * if (isJsonSchemaInvalidError(e)) logger.error(e.message);
 */
export const isJsonSchemaInvalidError = (e: unknown): e is JsonSchemaInvalidError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
