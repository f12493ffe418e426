import type { StandardSchemaV1 } from '@modelcontextprotocol/server';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import type { JsonObjectSchema } from './json-schema.interface';
import type { FieldIssue, ValidationResult } from './validation-result.interface';

/**
 * A Standard Schema (zod 4, valibot, ArkType…) that can also describe itself as JSON Schema
 * (the Standard JSON Schema extension, `~standard.jsonSchema`).
 */
export interface StandardJsonSchema {
  readonly '~standard': StandardSchemaV1['~standard'] & {
    readonly jsonSchema?: { input(options: { target: string }): Record<string, unknown> };
  };
}

/** Whether `value` is a Standard Schema (it may still lack the JSON Schema extension). */
export const isStandardSchema = (value: unknown): value is StandardJsonSchema =>
  !!value && (typeof value === 'object' || typeof value === 'function') && '~standard' in value;

/**
 * The JSON Schema 2020-12 of a Standard Schema's input, computed once at boot; the schema must
 * describe an object, as MCP tool inputs are objects.
 */
export function standardInputSchema(schema: StandardJsonSchema, where: string): JsonObjectSchema {
  const jsonSchema = schema['~standard'].jsonSchema;
  if (!jsonSchema)
    throw new McpDefinitionError(
      `${where}: the ${schema['~standard'].vendor} schema cannot describe itself as JSON Schema (no "~standard.jsonSchema"); use a library that implements Standard JSON Schema (zod 4.2 or newer), a class-validator DTO or a JSON Schema`,
    );
  const out = jsonSchema.input({ target: 'draft-2020-12' });
  if (out.type !== 'object')
    throw new McpDefinitionError(
      `${where}: the input schema must describe an object, it describes ${JSON.stringify(out.type)}`,
    );
  return out as JsonObjectSchema;
}

/** A validator over a Standard Schema, with the same result shape as the DTO validators. */
export function compileStandardValidator(
  schema: StandardJsonSchema,
): (value: unknown) => ValidationResult<unknown> | Promise<ValidationResult<unknown>> {
  const validate = schema['~standard'].validate;
  return (value) => {
    const result = validate(value ?? {});
    return result instanceof Promise ? result.then(toResult) : toResult(result);
  };
}

function toResult(result: StandardSchemaV1.Result<unknown>): ValidationResult<unknown> {
  if (!result.issues) return { ok: true, value: result.value };
  return { ok: false, issues: result.issues.map(toIssue) };
}

function toIssue(issue: StandardSchemaV1.Issue): FieldIssue {
  let path = '';
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    path += typeof key === 'number' ? `[${key}]` : path ? `.${String(key)}` : String(key);
  }
  return { path, message: issue.message, constraint: 'schema' };
}
