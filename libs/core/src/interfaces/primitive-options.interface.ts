import type { Type } from '@nestjs/common';
import type {
  Icon,
  ToolAnnotations,
  Annotations,
  ToolExecution,
} from '@modelcontextprotocol/server';
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

/**
 * Details of a deprecation, sent to clients in `_meta['io.rampart/deprecated']`.
 *
 * @example
 * ```ts
 * @Tool({ name: 'search', version: 1, deprecated: { since: '2', replacedBy: 'search_v2' } })
 * ```
 */
export interface DeprecationInfo {
  /** The version (or date) since which the primitive is deprecated. */
  since?: string;
  /** Why it is deprecated and what to do instead; people read it, the model may too. */
  reason?: string;
  /** What replaces it: a tool or prompt name, a resource URI or URI template. */
  replacedBy?: string;
}

/**
 * The contract version and deprecation of a tool, resource, resource template or prompt. Both are
 * sent to clients in the primitive's `_meta` in the lists, and recorded in the contract snapshot
 * that `rampart-contract` compares builds against (see docs/contracts.md).
 */
export interface Versioned {
  /**
   * Version of the primitive's contract (its name, schemas and arguments): `MAJOR` or
   * `MAJOR.MINOR`, as a string (`'2'`, `'2.1'`) or an integer (`2`). Raise `MAJOR` with a
   * breaking change; `rampart-contract check` accepts a breaking change only then, and only while
   * the old shape is still served, deprecated, at the old `MAJOR`. Sent as
   * `_meta['io.rampart/version']`, a string. Checked when the class is defined.
   * @default none: the contract checker counts a primitive without a version as version 1
   */
  version?: string | number;
  /**
   * Marks the primitive as deprecated: `true`, or {@link DeprecationInfo}. It is still listed and
   * served; clients see `_meta['io.rampart/deprecated']` (an object, `{}` for `true`). Checked when
   * the class is defined.
   * @default false
   */
  deprecated?: boolean | DeprecationInfo;
}

/** Options of `@Tool()`. */
export interface ToolOptions extends ServerScoped, Versioned {
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
  /**
   * How the tool may run (2025-11-25 `Tool.execution`): `taskSupport` says whether a client may,
   * must or must not call it as a task (`'optional'`, `'required'`, `'forbidden'`). Sent in
   * `tools/list` to 2025-11-25 clients only: the 2026-07-28 revision removed the field (task
   * creation is the server's decision there, see `@rampart/tasks`). Checked when the class is
   * defined.
   * @default no task support (`'forbidden'`)
   */
  execution?: ToolExecution;
  /**
   * Extra `_meta` sent with the tool in `tools/list`. The `io.rampart/version` and
   * `io.rampart/deprecated` keys come from `version` and `deprecated`, not from here.
   */
  _meta?: Record<string, unknown>;
}

/** Options of `@Resource()`. */
export interface ResourceOptions extends ServerScoped, Versioned {
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
export interface ResourceTemplateOptions extends ServerScoped, Versioned {
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
export interface PromptOptions extends ServerScoped, Versioned {
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
