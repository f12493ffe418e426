import type { LoggerService } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { Registry } from 'prom-client';
import type { AuditRecord } from './audit-record.interface';
import { PostgresAuditSink } from './postgres-audit.sink';
import { describeWith } from '../../../../test/services';

// Against the real PostgreSQL of the test environment (trust auth, database `test`).
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLOSED_PORT_URL = 'postgres://postgres@127.0.0.1:1/test';

class FakeLogger implements LoggerService {
  lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
}

const record = (i: number, overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  server: 'audit-spec',
  method: 'tools/call',
  target: 'echo',
  subject: `user-${i}`,
  decision: 'allowed',
  outcome: 'success',
  durationMs: 1.5,
  arguments: { i, password: '[REDACTED]' },
  correlationId: `c-${i}`,
  era: 'modern',
  transport: 'memory',
  ...overrides,
});

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describeWith('postgres')('PostgresAuditSink (real PostgreSQL)', () => {
  const table = `audit_spec_${process.pid}_${Date.now()}`;
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS "${table}"`);
    await admin.end();
  });

  it('creates the table and writes records in batched multi-row INSERTs', async () => {
    const registry = new Registry();
    const sink = new PostgresAuditSink(
      { connectionString: DATABASE_URL, table, batchSize: 3, flushIntervalMs: 50 },
      { registry },
    );
    sink.init();
    for (let i = 0; i < 7; i++)
      sink.write(
        record(
          i,
          i === 6
            ? { outcome: 'error', decision: 'denied', errorCode: 'FORBIDDEN', subject: undefined }
            : {},
        ),
      );
    await until(() => sink.stats().written === 7);
    await sink.close();
    expect(sink.stats()).toEqual({ written: 7, dropped: 0, pending: 0 });
    const { rows } = await admin.query(
      `SELECT subject, decision, outcome, error_code, arguments, correlation_id, duration_ms, at FROM "${table}" ORDER BY id`,
    );
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatchObject({
      subject: 'user-0',
      decision: 'allowed',
      outcome: 'success',
      error_code: null,
      arguments: { i: 0, password: '[REDACTED]' },
      correlation_id: 'c-0',
      duration_ms: 1.5,
    });
    expect((rows[0].at as Date).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(rows[6]).toMatchObject({ subject: null, decision: 'denied', error_code: 'FORBIDDEN' });
    expect(await registry.getSingleMetricAsString('rampart_audit_written_total')).toMatch(/ 7$/m);
  });

  it('never blocks on a database that is down, keeps a bounded queue and reports the drops', async () => {
    const logger = new FakeLogger();
    const registry = new Registry();
    const sink = new PostgresAuditSink(
      {
        connectionString: CLOSED_PORT_URL,
        table,
        maxQueue: 5,
        flushIntervalMs: 30,
        shutdownTimeoutMs: 300,
      },
      { registry, logger },
    );
    sink.init();
    // write() is synchronous: the records are queued or dropped before any I/O could happen.
    for (let i = 0; i < 8; i++) sink.write(record(i));
    // Drop-newest: the first five are kept, the last three are dropped.
    expect(sink.stats()).toEqual({ written: 0, dropped: 3, pending: 5 });
    // The drops are reported on the first pass, the refused connection when it fails: in
    // either order.
    await until(
      () =>
        logger.lines.some((l) => l.startsWith('warn Audit dropped 3 record(s)')) &&
        logger.lines.some((l) => l.startsWith('warn Audit database unreachable')),
    );
    await sink.close();
    expect(sink.stats()).toEqual({ written: 0, dropped: 8, pending: 0 });
    expect(logger.lines.at(-1)).toMatch(
      /warn Audit dropped 5 record\(s\) \(8 in total, 0 pending\)/,
    );
    expect(await registry.getSingleMetricAsString('rampart_audit_dropped_total')).toMatch(/ 8$/m);
  });

  it('keeps queuing while the database is slow (table locked), then writes everything in order', async () => {
    const logger = new FakeLogger();
    const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
    const sink = new PostgresAuditSink(
      { pool, table, batchSize: 2, flushIntervalMs: 20, maxQueue: 100 },
      { logger },
    );
    const locker = new Client({ connectionString: DATABASE_URL });
    await locker.connect();
    try {
      await admin.query(`DELETE FROM "${table}"`);
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      sink.init();
      // write() is synchronous: the records are queued whatever the database does.
      for (let i = 0; i < 6; i++) sink.write(record(i));
      expect(sink.stats()).toEqual({ written: 0, dropped: 0, pending: 6 });
      await new Promise((r) => setTimeout(r, 200));
      // One INSERT waits on the lock; nothing is written, nothing is lost.
      expect(sink.stats()).toEqual({ written: 0, dropped: 0, pending: 6 });
      await locker.query('COMMIT');
      await until(() => sink.stats().written === 6);
      const { rows } = await admin.query(`SELECT correlation_id FROM "${table}" ORDER BY id`);
      expect(rows.map((r) => r.correlation_id)).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    } finally {
      await locker.end();
      await sink.close();
      await pool.end(); // the app's pool: the sink leaves it open
    }
  });

  it('bounds the flush at shutdown when the database hangs, and reports what it dropped', async () => {
    const logger = new FakeLogger();
    const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
    const sink = new PostgresAuditSink(
      { pool, table, flushIntervalMs: 20, shutdownTimeoutMs: 300 },
      { logger },
    );
    const locker = new Client({ connectionString: DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      sink.init();
      for (let i = 0; i < 4; i++) sink.write(record(i));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await sink.close();
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(sink.stats()).toMatchObject({ written: 0, dropped: 4, pending: 0 });
      expect(logger.lines.at(-1)).toMatch(/warn Audit dropped 4 record\(s\)/);
      sink.write(record(9)); // after close: dropped, never thrown
      expect(sink.stats().dropped).toBe(5);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await pool.end();
    }
  });

  it('drops a batch the database rejects instead of retrying it forever', async () => {
    const logger = new FakeLogger();
    const sink = new PostgresAuditSink(
      {
        connectionString: DATABASE_URL,
        table: `${table}_missing`,
        createTable: false,
        flushIntervalMs: 20,
      },
      { logger },
    );
    sink.init();
    sink.write(record(1));
    await until(() => sink.stats().dropped === 1);
    await sink.close();
    expect(logger.lines.some((l) => /does not exist/.test(l))).toBe(true);
  });

  it("creates and fills a schema-qualified table (the index lives in the table's schema)", async () => {
    const schema = `${table}_schema`;
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const logger = new FakeLogger();
    const sink = new PostgresAuditSink(
      { connectionString: DATABASE_URL, table: `${schema}.calls`, flushIntervalMs: 20 },
      { logger },
    );
    try {
      sink.init();
      sink.write(record(1));
      await until(() => sink.stats().written + sink.stats().dropped === 1);
      await sink.close();
      expect(sink.stats()).toEqual({ written: 1, dropped: 0, pending: 0 });
      const { rows } = await admin.query(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'calls'`,
        [schema],
      );
      expect(rows.map((r) => r.indexname)).toContain(`${schema}_calls_at_idx`);
    } finally {
      await sink.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('stores the refusal fields, and brings a table made by an earlier version up to date', async () => {
    const old = `${table}_v1`;
    // The table as the first version made it: no refusal columns, era and transport required.
    await admin.query(`CREATE TABLE "${old}" (
      id bigserial PRIMARY KEY, at timestamptz NOT NULL, server text NOT NULL, method text NOT NULL,
      target text, subject text, tenant text, decision text NOT NULL, outcome text NOT NULL,
      error_code text, duration_ms double precision NOT NULL, arguments jsonb,
      correlation_id text NOT NULL, trace_id text, era text NOT NULL, transport text NOT NULL)`);
    await admin.query(
      `INSERT INTO "${old}" (at, server, method, decision, outcome, duration_ms, correlation_id, era, transport)
       VALUES (now(), 's', 'tools/call', 'allowed', 'success', 1, 'c-old', 'modern', 'http')`,
    );
    const sink = new PostgresAuditSink({
      connectionString: DATABASE_URL,
      table: old,
      flushIntervalMs: 20,
    });
    try {
      sink.init();
      sink.write(
        record(1, {
          method: 'authentication',
          decision: 'denied',
          outcome: 'error',
          reason: 'bad-signature',
          address: '127.0.0.1',
          subject: undefined,
          arguments: undefined,
          era: undefined,
          transport: undefined,
        }),
      );
      sink.write(
        record(2, { decision: 'denied', reason: 'policy', policies: ['forbid-weekends', 'p7'] }),
      );
      await until(() => sink.stats().written + sink.stats().dropped === 2);
      expect(sink.stats()).toMatchObject({ written: 2, dropped: 0 });
      const { rows } = await admin.query(
        `SELECT correlation_id, method, reason, policies, address, era, transport FROM "${old}" ORDER BY id`,
      );
      expect(rows).toEqual([
        {
          correlation_id: 'c-old',
          method: 'tools/call',
          reason: null,
          policies: null,
          address: null,
          era: 'modern',
          transport: 'http',
        },
        {
          correlation_id: 'c-1',
          method: 'authentication',
          reason: 'bad-signature',
          policies: null,
          address: '127.0.0.1',
          era: null,
          transport: null,
        },
        {
          correlation_id: 'c-2',
          method: 'tools/call',
          reason: 'policy',
          policies: ['forbid-weekends', 'p7'],
          address: null,
          era: 'modern',
          transport: 'memory',
        },
      ]);
    } finally {
      await sink.close();
      await admin.query(`DROP TABLE IF EXISTS "${old}"`);
    }
  });

  it('refuses a table name that is not an identifier, and a missing connection', () => {
    expect(
      () => new PostgresAuditSink({ connectionString: DATABASE_URL, table: 'x; DROP' }),
    ).toThrow(/must be \[schema\.\]name/);
    expect(() => new PostgresAuditSink({})).toThrow(/needs "connectionString" or "pool"/);
    // 0 would mean "no timeout" to pg: a hung database would hold the one write in flight forever.
    for (const writeTimeoutMs of [0, -1, 1.5])
      expect(
        () => new PostgresAuditSink({ connectionString: DATABASE_URL, writeTimeoutMs }),
      ).toThrow(/writeTimeoutMs must be a positive integer/);
  });
});
