/** The primitive types of JSON Schema's `type` keyword. */
export type JsonSchemaTypeName =
  'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A JSON Schema (2020-12) node. The common keywords are typed; any other keyword (vendor
 * extensions, `$comment`, `contentMediaType`, ...) is allowed and left untouched.
 *
 * @example
 * const name: JsonSchema = { type: 'string', minLength: 1, description: 'Display name' };
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: JsonSchemaTypeName | JsonSchemaTypeName[];
  title?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  items?: JsonSchema | boolean;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  [keyword: string]: unknown;
}

/**
 * The schema of a tool's arguments: an object schema with `properties`, as MCP requires for
 * `inputSchema`. `required` is left out when no property is required.
 *
 * @example
 * const input: JsonObjectSchema = {
 *   $schema: 'https://json-schema.org/draft/2020-12/schema',
 *   type: 'object',
 *   properties: { url: { type: 'string', format: 'uri' } },
 *   required: ['url'],
 * };
 */
export interface JsonObjectSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
}
