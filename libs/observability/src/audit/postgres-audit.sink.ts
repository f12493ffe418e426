import { Logger, type LoggerService } from '@nestjs/common';
import type { PoolConfig } from 'pg';
import { Counter, type Registry } from 'prom-client';
import type { AuditRecord } from './audit-record.interface';
import type { PgPoolLike, PostgresAuditOptions } from './audit-options.interface';
import type { AuditSink, AuditSinkStats } from './audit-sink.interface';
import { AUDIT_DROPPED_METRIC, AUDIT_WRITTEN_METRIC, DEFAULT_AUDIT_TABLE } from './audit.constants';
import { loadPackage } from '@rampart/core';

const TABLE_NAME = /^(?:[A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const COLUMNS = [
  'at',
  'server',
  'method',
  'target',
  'subject',
  'tenant',
  'decision',
  'outcome',
  'error_code',
  'duration_ms',
  'arguments',
  'arguments_truncated',
  'correlation_id',
  'trace_id',
  'era',
  'transport',
  'reason',
  'policies',
  'address',
] as const;
const MAX_BATCH = Math.floor(65_535 / COLUMNS.length);

/** Dependencies of a {@link PostgresAuditSink}, all optional. */
export interface PostgresAuditSinkDeps {
  /** Registry on which `rampart_audit_dropped_total` and `rampart_audit_written_total` are counted. */
  registry?: Registry;
  /** Where warnings go. @default new Logger('Audit') */
  logger?: LoggerService;
}

/**
 * An {@link AuditSink} that writes records to a PostgreSQL table in batched multi-row `INSERT`s
 * from a bounded in-memory queue, so that a slow or unreachable database never slows down or
 * fails a call:
 *
 * - `write()` only pushes to the queue; one background loop (a single `unref()`ed interval, plus
 *   an immediate pass when a full batch is waiting) runs one `INSERT` at a time.
 * - When the queue holds `maxQueue` records, new records are dropped (drop-newest), counted in
 *   `stats().dropped` and `rampart_audit_dropped_total`, and reported by a `warn` line with the
 *   count, at most once per `flushIntervalMs`.
 * - A batch that fails on a connection error stays at the head of the queue and is tried again
 *   on the next pass; a batch the database rejects (bad data, missing table) is dropped.
 * - `close()` writes what it can within `shutdownTimeoutMs`, drops the rest (reported), and
 *   ends the pool it created.
 *
 * `pg` is loaded only when the sink starts.
 *
 * @example
 * ```ts
 * const sink = new PostgresAuditSink({ connectionString: 'postgres://postgres@127.0.0.1/test' });
 * ObservabilityModule.forRoot({ audit: { sink } });
 * ```
 */
export class PostgresAuditSink implements AuditSink {
  private readonly table: string;
  private readonly quotedTable: string;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly logger: LoggerService;
  private readonly droppedCounter?: Counter;
  private readonly writtenCounter?: Counter;
  private pool?: PgPoolLike;
  private ownsPool = false;
  private queue: AuditRecord[] = [];
  private timer?: NodeJS.Timeout;
  private scheduled = false;
  private inFlight?: Promise<void>;
  private tableReady = false;
  private closed = false;
  private down = false;
  private written = 0;
  private dropped = 0;
  private droppedUnreported = 0;
  private lastError?: string;

  constructor(
    private readonly options: PostgresAuditOptions,
    deps: PostgresAuditSinkDeps = {},
  ) {
    this.table = options.table ?? DEFAULT_AUDIT_TABLE;
    if (!TABLE_NAME.test(this.table))
      throw new Error(
        `PostgresAuditOptions.table "${this.table}" must be [schema.]name of letters, digits and _`,
      );
    this.quotedTable = this.table
      .split('.')
      .map((part) => `"${part}"`)
      .join('.');
    if (!options.pool && !options.connectionString)
      throw new Error('PostgresAuditOptions needs "connectionString" or "pool"');
    this.maxQueue = positive(options.maxQueue ?? 10_000, 'maxQueue');
    this.batchSize = Math.min(positive(options.batchSize ?? 200, 'batchSize'), MAX_BATCH);
    this.flushIntervalMs = positive(options.flushIntervalMs ?? 1_000, 'flushIntervalMs');
    this.shutdownTimeoutMs = positive(options.shutdownTimeoutMs ?? 5_000, 'shutdownTimeoutMs');
    this.writeTimeoutMs = positive(options.writeTimeoutMs ?? 5_000, 'writeTimeoutMs');
    this.logger = deps.logger ?? new Logger('Audit');
    if (deps.registry) {
      this.droppedCounter = counter(
        deps.registry,
        AUDIT_DROPPED_METRIC,
        'Audit records lost because the audit store was slow, down or rejected them',
      );
      this.writtenCounter = counter(deps.registry, AUDIT_WRITTEN_METRIC, 'Audit records stored');
    }
  }

  /** Creates the pool (unless one was given) and starts the background loop. */
  init(): void {
    if (this.timer || this.closed) return;
    if (this.options.pool) this.pool = this.options.pool;
    else {
      const pg = loadPackage<typeof import('pg')>('pg', 'The PostgreSQL audit sink');
      const config: PoolConfig = {
        connectionString: this.options.connectionString,
        max: 2,
        connectionTimeoutMillis: this.writeTimeoutMs,
        query_timeout: this.writeTimeoutMs,
        allowExitOnIdle: true,
      };
      this.pool = new pg.Pool(config);
      // An idle client's connection error must not crash the process.
      this.pool.on('error', (error) => this.noteError(error));
      this.ownsPool = true;
    }
    this.timer = setInterval(() => this.pass(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one record; never blocks, never throws. */
  write(record: AuditRecord): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.drop(1);
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.batchSize && !this.inFlight && !this.scheduled && this.timer) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pass();
      });
    }
  }

  /** Records written, dropped and still queued. */
  stats(): AuditSinkStats {
    return { written: this.written, dropped: this.dropped, pending: this.queue.length };
  }

  /**
   * Writes what is queued, within `shutdownTimeoutMs`; drops (and reports) the rest, then ends
   * the pool the sink created.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + this.shutdownTimeoutMs;
    while (this.pool && Date.now() < deadline) {
      if (!this.inFlight && this.queue.length === 0) break;
      const progress = this.inFlight ?? this.writeBatch();
      const before = this.written + this.dropped;
      await raceDeadline(progress, deadline);
      // A pass that wrote nothing (database down) is not retried in a busy loop.
      if (this.written + this.dropped === before && !this.inFlight)
        await raceDeadline(sleep(Math.min(200, this.flushIntervalMs)), deadline);
    }
    if (this.queue.length) {
      this.drop(this.queue.length);
      this.queue = [];
    }
    this.reportDrops();
    if (this.ownsPool && this.pool) {
      const pool = this.pool;
      await raceDeadline(
        pool.end().catch(() => undefined),
        Date.now() + 1_000,
      );
    }
  }

  private pass(): void {
    this.reportDrops();
    if (this.inFlight || this.queue.length === 0 || !this.pool) return;
    void this.writeBatch();
  }

  /** Writes one batch from the head of the queue; settles when it is written or has failed. */
  private writeBatch(): Promise<void> {
    const run = async () => {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        await this.ensureTable();
        await this.pool!.query(this.insertSql(batch.length), batch.flatMap(rowOf));
        this.queue.splice(0, batch.length);
        this.written += batch.length;
        this.writtenCounter?.inc(batch.length);
        if (this.down) this.logger.log?.(`Audit database reachable again (${this.table})`);
        this.down = false;
      } catch (error) {
        if (isConnectionError(error)) this.noteError(error);
        else {
          // The database rejected the rows themselves: retrying would fail the same way.
          this.queue.splice(0, batch.length);
          this.drop(batch.length);
          this.lastError = messageOf(error);
        }
      }
    };
    const promise = run().finally(() => {
      if (this.inFlight === promise) this.inFlight = undefined;
    });
    this.inFlight = promise;
    return promise;
  }

  private async ensureTable(): Promise<void> {
    if (this.tableReady || this.options.createTable === false) return;
    const index = `${this.table.replace('.', '_')}_at_idx`.slice(0, 63);
    await this.pool!.query(
      `CREATE TABLE IF NOT EXISTS ${this.quotedTable} (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        server text NOT NULL,
        method text NOT NULL,
        target text,
        subject text,
        tenant text,
        decision text NOT NULL,
        outcome text NOT NULL,
        error_code text,
        duration_ms double precision NOT NULL,
        arguments jsonb,
        arguments_truncated jsonb,
        correlation_id text NOT NULL,
        trace_id text,
        era text,
        transport text,
        reason text,
        policies text[],
        address text
      )`,
    );
    // Tables made by earlier versions: the refusal columns, the arguments' truncation, and era
    // and transport, which a refusal before the request was read does not have.
    await this.pool!.query(
      `ALTER TABLE ${this.quotedTable}
        ADD COLUMN IF NOT EXISTS arguments_truncated jsonb,
        ADD COLUMN IF NOT EXISTS reason text,
        ADD COLUMN IF NOT EXISTS policies text[],
        ADD COLUMN IF NOT EXISTS address text,
        ALTER COLUMN era DROP NOT NULL,
        ALTER COLUMN transport DROP NOT NULL`,
    );
    // An index name takes no schema: PostgreSQL creates it in its table's schema.
    await this.pool!.query(`CREATE INDEX IF NOT EXISTS "${index}" ON ${this.quotedTable} (at)`);
    this.tableReady = true;
  }

  private insertSql(rows: number): string {
    const values: string[] = [];
    for (let r = 0; r < rows; r++) {
      const base = r * COLUMNS.length;
      values.push(`(${COLUMNS.map((_, c) => `$${base + c + 1}`).join(', ')})`);
    }
    return `INSERT INTO ${this.quotedTable} (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}`;
  }

  private noteError(error: unknown): void {
    this.lastError = messageOf(error);
    if (!this.down)
      this.logger.warn(
        `Audit database unreachable (${this.table}): ${this.lastError}; records are queued (up to ${this.maxQueue}) and written when it is back`,
      );
    this.down = true;
  }

  private drop(count: number): void {
    this.dropped += count;
    this.droppedUnreported += count;
    this.droppedCounter?.inc(count);
  }

  private reportDrops(): void {
    if (!this.droppedUnreported) return;
    this.logger.warn(
      `Audit dropped ${this.droppedUnreported} record(s) (${this.dropped} in total, ${this.queue.length} pending)` +
        (this.lastError ? `; last database error: ${this.lastError}` : ''),
    );
    this.droppedUnreported = 0;
  }
}

function rowOf(r: AuditRecord): unknown[] {
  return [
    r.at,
    r.server,
    r.method,
    r.target ?? null,
    r.subject ?? null,
    r.tenant ?? null,
    r.decision,
    r.outcome,
    r.errorCode ?? null,
    r.durationMs,
    r.arguments === undefined ? null : JSON.stringify(r.arguments),
    r.argumentsTruncated === undefined ? null : JSON.stringify(r.argumentsTruncated),
    r.correlationId,
    r.traceId ?? null,
    r.era ?? null,
    r.transport ?? null,
    r.reason ?? null,
    r.policies ?? null,
    r.address ?? null,
  ];
}

/**
 * Whether a failure is about reaching the database (try again later) rather than about the rows:
 * no SQLSTATE (socket errors, timeouts), or SQLSTATE classes 08 (connection), 53 (resources),
 * 57 (operator intervention: shutdown, statement timeout) and 58 (system).
 */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ['08', '53', '57', '58'].includes(code.slice(0, 2));
}

function counter(registry: Registry, name: string, help: string): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, registers: [registry] })
  );
}

function positive(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0))
    throw new Error(`PostgresAuditOptions.${name} must be a positive integer; got ${value}`);
  return value;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

async function raceDeadline(promise: Promise<unknown>, deadline: number): Promise<void> {
  const left = deadline - Date.now();
  if (left <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
  ]);
  clearTimeout(timer);
}
