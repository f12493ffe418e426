/** How a generated server is reached. */
export type Transport = 'http' | 'stdio' | 'both';

/**
 * Options of the `application` schematic: `nest new NAME -c @rampart/schematics` (which passes
 * `name`, `directory`, `packageManager`, `language`, `strict`, `spec`, `format`, `skipGit`,
 * `collection` and `observe`), or `schematics @rampart/schematics:application` with any of them.
 */
export interface ApplicationOptions {
  /** The npm package name of the app (`my-server`, `@acme/my-server`); `.` for the current folder's. */
  name: string | number;
  /**
   * Folder to create the app in.
   * @default the name
   */
  directory?: string;
  /** package.json `description`. */
  description?: string;
  /**
   * package.json `version`, which the server also reports to clients.
   * @default '0.0.1'
   */
  version?: string;
  /**
   * `http`: Streamable HTTP on 127.0.0.1:3000/mcp; `stdio`: on stdin/stdout, for a client that
   * starts the server; `both`: HTTP, or stdio with `--stdio`.
   * @default 'both'
   */
  transport?: Transport;
  /**
   * `@rampart/resilience`: `ResilienceModule`, and `@RateLimit` and `@Timeout` on the tool.
   * @default true
   */
  resilience?: boolean;
  /**
   * `@rampart/observability`: a log line per call, traces, and over HTTP `/metrics`,
   * `/health/live` and `/health/ready` (and a Docker `HEALTHCHECK`).
   * @default true
   */
  observability?: boolean;
  /**
   * TypeScript's `strict`.
   * @default true
   */
  strict?: boolean;
  /**
   * Generate the specs (the tool's, and the end-to-end spec).
   * @default true
   */
  spec?: boolean;
  /**
   * Generate no specs (the opposite of `spec`).
   * @default false
   */
  skipTests?: boolean;
  /** Language: only `ts`. */
  language?: string;
  /**
   * Format the files with Prettier, if it is installed where the schematic runs.
   * @default false
   */
  format?: boolean;
  /** Accepted from `nest new`; the generated README and Dockerfile use npm. */
  packageManager?: string;
  /** Accepted from `nest new` (`@nestjs/observe`); Rampart's own is `observability`. */
  observe?: boolean;
}
