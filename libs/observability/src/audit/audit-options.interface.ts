import type { AuditSink } from './audit-sink.interface';

/**
 * The part of a `pg.Pool` that the PostgreSQL audit sink uses; a `pg.Pool` satisfies it. The lib
 * loads `pg` only when the sink creates its own pool, and its public types do not name it, so an
 * app without the PostgreSQL sink needs neither `pg` nor its types.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 *
 * const pool: PgPoolLike = new Pool({ connectionString: process.env.DATABASE_URL });
 * ObservabilityModule.forRoot({ audit: { sink: 'postgres', postgres: { pool } } });
 * ```
 */
export interface PgPoolLike {
  /** Runs one parameterized statement. */
  query(text: string, values?: unknown[]): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Closes every connection of the pool. */
  end(): Promise<void>;
}

/**
 * Options of the PostgreSQL audit sink. Rows are queued in memory and written in batches by one
 * background loop; a call never waits for the database.
 *
 * @example
 * ```ts
 * audit: { sink: 'postgres', postgres: { connectionString: process.env.DATABASE_URL, table: 'audit.mcp_calls' } }
 * ```
 */
export interface PostgresAuditOptions {
  /** `postgres://` URL of the database; the sink creates (and ends) its own small pool. */
  connectionString?: string;
  /** A `pg.Pool` of the app, used as is (the sink never ends it). Wins over `connectionString`. */
  pool?: PgPoolLike;
  /** Table, optionally schema-qualified (`[schema.]name`, letters, digits and `_`). @default 'rampart_audit' */
  table?: string;
  /**
   * Whether the sink creates its table (`CREATE TABLE IF NOT EXISTS`, and its index) before the
   * first write, and brings a table made by an earlier version up to date (`ALTER TABLE … ADD
   * COLUMN IF NOT EXISTS reason, policies, address`; `era` and `transport` made nullable), which
   * needs the table's owner. With `false`, the table is yours to create and migrate.
   * @default true
   */
  createTable?: boolean;
  /**
   * Most records held in memory while the database is slow or down. When full, NEW records are
   * dropped (and counted): what was queued first is written first, so the trail keeps one
   * contiguous gap, reported with its size.
   * @default 10_000
   */
  maxQueue?: number;
  /**
   * Most rows per `INSERT` (one statement, one round trip); capped at what one statement can
   * carry (3640 rows of 18 parameters).
   * @default 200
   */
  batchSize?: number;
  /** How often the queue is written, in milliseconds; a full batch is written at once. @default 1_000 */
  flushIntervalMs?: number;
  /** Connection and query timeout of the sink's own pool, in milliseconds. @default 5_000 */
  writeTimeoutMs?: number;
  /** How long shutdown waits for pending rows to be written, in milliseconds; the rest is dropped. @default 5_000 */
  shutdownTimeoutMs?: number;
}

/**
 * Options of the audit trail (`ObservabilityModule.forRoot({ audit: { ... } })`, or
 * `audit: true` for the log sink and `tools/call` only). Arguments are redacted with the app's
 * `Redactor` (module option `redaction`) before they reach the sink.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({
 *   audit: { sink: 'postgres', postgres: { connectionString: process.env.DATABASE_URL } },
 * });
 * ```
 */
export interface AuditOptions {
  /**
   * Where records go: `'log'` (one `info` line per record, context `Audit`), `'postgres'`
   * (needs `postgres`), or an {@link AuditSink} of your own.
   * @default 'log'
   */
  sink?: 'log' | 'postgres' | AuditSink;
  /** Options of the `'postgres'` sink. @default undefined */
  postgres?: PostgresAuditOptions;
  /**
   * Which JSON-RPC methods are audited (`tools/call`, `resources/read`, `prompts/get`, …).
   * @default ['tools/call']
   */
  methods?: string[];
  /** Whether the (redacted) arguments are kept in the record. @default true */
  arguments?: boolean;
  /**
   * Longest JSON of a record's arguments, in characters. A caller chooses its arguments: above
   * this, the properties the tool or prompt declares are kept first, long strings are cut and the
   * rest left out, and the record says so in `argumentsTruncated`.
   * @default 8192
   */
  maxArgumentsChars?: number;
  /**
   * Audit every refusal by access control that a lib reports on `RampartChannel.access`
   * (`@rampart/security`): credentials missing or refused (a record of their own, with the
   * client's address) and calls denied (the call's record, whatever its method, with decision
   * `denied`, the `reason` and the deciding `policies`).
   * @default true
   */
  access?: boolean;
  /**
   * Audit every approval event a lib reports on `RampartChannel.approval` (`@rampart/tasks`):
   * each approval requested, approved, denied, expired, and each attempt to decide one that was
   * refused, as a record of method `approval/<outcome>` whose `correlationId` is the approval id.
   * @default true
   */
  approvals?: boolean;
}
