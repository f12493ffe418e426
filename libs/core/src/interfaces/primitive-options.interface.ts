import type { Type } from '@nestjs/common';
import type { Icon, ToolAnnotations, Annotations } from '@modelcontextprotocol/server';
import type { StandardJsonSchema } from '../schema/standard-schema';

/** A JSON Schema object (2020-12) given by hand instead of a DTO. */
export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

/**
 * Where a tool's arguments or result are described: a class-validator DTO, a JSON Schema, or a
 * Standard Schema that can describe itself as JSON Schema (zod 4.2+).
 */
export type SchemaSource = Type<unknown> | JsonSchemaObject | StandardJsonSchema;

/** Which servers a primitive belongs to. Without it, it belongs to every server of the app. */
export interface ServerScoped {
  /** Name(s) of the `McpModule.forRoot({ name })` servers that expose this primitive. */
  server?: string | string[];
}

/** Options of `@Tool()`. */
export interface ToolOptions extends ServerScoped {
  /**
   * Tool name: 1-128 characters of `A-Z a-z 0-9 _ - .`, unique per server.
   * @default the method name
   */
  name?: string;
  /** Human title. */
  title?: string;
  /** What the tool does, its constraints and side effects: the model reads this. */
  description?: string;
  /** Behaviour hints (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`). */
  annotations?: ToolAnnotations;
  /** Icons. */
  icons?: Icon[];
  /**
   * Arguments: a DTO class or a JSON Schema.
   * @default the type of the `@Args()` parameter
   */
  input?: SchemaSource;
  /** Result: a DTO class or a JSON Schema; the method's return value becomes `structuredContent`. */
  output?: SchemaSource;
  /** Extra `_meta` sent with the tool in `tools/list`. */
  _meta?: Record<string, unknown>;
}

/** Options of `@Resource()`. */
export interface ResourceOptions extends ServerScoped {
  /** The resource URI. */
  uri: string;
  /**
   * Resource name.
   * @default the method name
   */
  name?: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Size in bytes, when known. */
  size?: number;
  annotations?: Annotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
}

/** Options of `@ResourceTemplate()`. */
export interface ResourceTemplateOptions extends ServerScoped {
  /** RFC 6570 URI template, e.g. `page://{id}`. Its variables are the method's `@Args()`. */
  uriTemplate: string;
  /**
   * Template name.
   * @default the method name
   */
  name?: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: Annotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
}

/** Options of `@Prompt()`. */
export interface PromptOptions extends ServerScoped {
  /**
   * Prompt name.
   * @default the method name
   */
  name?: string;
  title?: string;
  description?: string;
  icons?: Icon[];
  /**
   * Arguments: a DTO whose string properties are the prompt's arguments.
   * @default the type of the `@Args()` parameter
   */
  arguments?: Type<unknown>;
  _meta?: Record<string, unknown>;
}

/** Options of `@Completion()`: which argument of which prompt or resource template it completes. */
export type CompletionOptions = ServerScoped & { argument: string } & (
    { prompt: string; resourceTemplate?: never } | { resourceTemplate: string; prompt?: never }
  );
