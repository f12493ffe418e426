/**
 * Options that `tool`, `resource`, `prompt` and `server` share (their schema.json files describe
 * them; `nest g` passes `sourceRoot`, `spec`, `flat`, `specFileSuffix`, `language` and `format`).
 */
export interface PartOptions {
  /** Name of the part, optionally with a path: `search-docs` or `admin/search-docs`. */
  name: string;
  /** Folder to create it in, below the source root. */
  path?: string;
  /**
   * The project's source root (`nest g` passes nest-cli.json's). Used when the project root has
   * a nest-cli.json, nest.json, tsconfig.json or package.json.
   * @default 'src'
   */
  sourceRoot?: string;
  /**
   * Module to register the part in: its file, its name or its folder.
   * @default the nearest *.module.ts in the part's folder or above it
   */
  module?: string;
  /**
   * Create the files in `path` itself instead of a folder of their own.
   * @default false
   */
  flat?: boolean;
  /**
   * Generate the spec file.
   * @default true
   */
  spec?: boolean;
  /**
   * Generate no spec file (the opposite of `spec`, as `nest new --skip-tests`).
   * @default false
   */
  skipTests?: boolean;
  /**
   * Suffix of the spec file: `search-docs.tools.<suffix>.ts`.
   * @default 'spec'
   */
  specFileSuffix?: string;
  /**
   * Leave the module alone.
   * @default false
   */
  skipImport?: boolean;
  /** Language of the project: only `ts`. */
  language?: string;
  /**
   * Format the files with Prettier, if the project has it.
   * @default false
   */
  format?: boolean;
}

/** Options of the parts that declare MCP primitives: `tool`, `resource` and `prompt`. */
export interface PrimitivePartOptions extends PartOptions {
  /** What the primitive does, for the model that reads it (`description` of the decorator). */
  description?: string;
  /**
   * The `McpModule.forRoot({ name })` server the primitive belongs to.
   * @default every server of the app
   */
  server?: string;
}
