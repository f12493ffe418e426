import { ForbiddenException, Injectable, UseGuards, type CanActivate } from '@nestjs/common';
import type { Client } from '@modelcontextprotocol/client';
import { IsOptional, IsString } from 'class-validator';
import { Client as PgClient } from 'pg';
import { Args, McpModule, Tool, ToolError } from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import {
  AuditSink,
  ObservabilityModule,
  type AuditOptions,
  type AuditSinkStats,
} from '@rampart/observability';
import { describeWith, itWith } from '../services';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

class EchoInput {
  @IsString() text!: string;
  @IsOptional() @IsString() password?: string;
}

class DenyAll implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException('no');
  }
}

@Injectable()
class AuditedTools {
  @Tool({ description: 'Echo' })
  echo(@Args() input: EchoInput) {
    return input.text;
  }

  @Tool({ description: 'Never allowed' })
  @UseGuards(DenyAll)
  secret(@Args() input: EchoInput) {
    return input.text;
  }

  @Tool({ description: 'Fails upstream' })
  flaky(@Args() input: EchoInput): string {
    throw new ToolError('UPSTREAM_DOWN', `cannot reach ${input.text}`, { retryable: true });
  }
}

const text = (r: Awaited<ReturnType<Client['callTool']>>) =>
  (r.content as { text?: string }[]).map((c) => c.text ?? '').join('');

function boot(audit: AuditOptions, setup: Parameters<typeof createMcpTestApp>[0] = {}) {
  return createMcpTestApp({
    imports: [
      McpModule.forRoot({ name: 'audit-e2e', version: '1.0.0' }),
      ObservabilityModule.forRoot({ audit }),
    ],
    providers: [AuditedTools],
    ...setup,
  });
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const setups = mcpTestMatrix(
  (s) =>
    (s.transport === 'memory' && s.era === 'modern') ||
    (s.adapter === 'express' && s.era === 'legacy'),
);

describeWith('postgres').each(setups)('audit trail in PostgreSQL over %s', (_name, setup) => {
  const table = `audit_e2e_${process.pid}_${Date.now()}_${setup.transport}`;
  let admin: PgClient;
  let t: McpTestApp;

  beforeAll(async () => {
    admin = new PgClient({ connectionString: DATABASE_URL });
    await admin.connect();
    t = await boot(
      {
        sink: 'postgres',
        postgres: { connectionString: DATABASE_URL, table, flushIntervalMs: 50 },
      },
      setup,
    );
  });

  afterAll(async () => {
    await t?.close();
    await admin.query(`DROP TABLE IF EXISTS "${table}"`);
    await admin.end();
  });

  it('writes who, what, when, the decision and the outcome, with redacted arguments', async () => {
    expect(
      text(
        await t.client.callTool({ name: 'echo', arguments: { text: 'hi', password: 'hunter2' } }),
      ),
    ).toBe('hi');
    const denied = await t.client.callTool({ name: 'secret', arguments: { text: 'x' } });
    expect(denied.isError).toBe(true);
    const failed = await t.client.callTool({ name: 'flaky', arguments: { text: 'api' } });
    expect(failed.isError).toBe(true);
    await t.client.listTools(); // not audited: only tools/call by default

    const sink = t.module.get<{ stats(): AuditSinkStats }>(AuditSink);
    await until(() => sink.stats().written === 3);
    const { rows } = await admin.query(
      `SELECT server, method, target, decision, outcome, error_code, arguments, era, transport, correlation_id, at
         FROM "${table}" ORDER BY id`,
    );
    expect(rows).toMatchObject([
      {
        server: 'audit-e2e',
        method: 'tools/call',
        target: 'echo',
        decision: 'allowed',
        outcome: 'success',
        error_code: null,
        arguments: { text: 'hi', password: '[REDACTED]' },
        era: setup.era,
        transport: setup.transport,
      },
      { target: 'secret', decision: 'denied', outcome: 'error', error_code: 'FORBIDDEN' },
      { target: 'flaky', decision: 'allowed', outcome: 'error', error_code: 'UPSTREAM_DOWN' },
    ]);
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    expect(rows.every((r) => typeof r.correlation_id === 'string' && r.correlation_id)).toBe(true);
    expect(Date.now() - (rows[0].at as Date).getTime()).toBeLessThan(60_000);
  });

  it("bounds a caller's arguments in its record, keeping the declared ones", async () => {
    // The attack: 900 undeclared properties (a DTO tool takes at most 1,000 per object) sent
    // before the real ones, to write a 70 KB row per call and to push what the call was about
    // out of a bounded record.
    const args: Record<string, unknown> = {};
    for (let i = 0; i < 900; i++) args[`junk${i}`] = `j${i}`.padEnd(60, '-');
    Object.assign(args, { text: 'bounded', password: 'hunter2' });
    expect(text(await t.client.callTool({ name: 'echo', arguments: args }))).toBe('bounded');

    const select = () =>
      admin.query(
        `SELECT arguments, arguments_truncated FROM "${table}" WHERE arguments->>'text' = 'bounded'`,
      );
    await until(async () => (await select()).rows.length === 1);
    const [row] = (await select()).rows as {
      arguments: Record<string, unknown>;
      arguments_truncated: { jsonChars: number; omitted: number; cut: number };
    }[];
    expect(row.arguments).toMatchObject({ text: 'bounded', password: '[REDACTED]' });
    expect(JSON.stringify(row.arguments).length).toBeLessThanOrEqual(8_192);
    expect(row.arguments_truncated).toEqual({
      jsonChars: JSON.stringify({ ...args, password: '[REDACTED]' }).length,
      omitted: 902 - Object.keys(row.arguments).length,
      cut: 0,
    });
  });
});

describe('audit trail when PostgreSQL is down or slow', () => {
  it('down: calls succeed at once; the sink drops past maxQueue and reports it in stats()', async () => {
    const t = await boot({
      sink: 'postgres',
      postgres: {
        connectionString: 'postgres://postgres@127.0.0.1:1/test',
        maxQueue: 2,
        flushIntervalMs: 50,
        shutdownTimeoutMs: 200,
      },
    });
    try {
      for (let i = 0; i < 5; i++)
        expect(text(await t.client.callTool({ name: 'echo', arguments: { text: `m${i}` } }))).toBe(
          `m${i}`,
        );
      const sink = t.module.get<{ stats(): AuditSinkStats }>(AuditSink);
      expect(sink.stats()).toEqual({ written: 0, dropped: 3, pending: 2 });
    } finally {
      await t.close();
    }
  });

  itWith('postgres')(
    'slow: a locked table does not hold up calls; rows land once the lock is gone',
    async () => {
      const table = `audit_slow_${process.pid}_${Date.now()}`;
      const locker = new PgClient({ connectionString: DATABASE_URL });
      await locker.connect();
      const t = await boot({
        sink: 'postgres',
        postgres: {
          connectionString: DATABASE_URL,
          table,
          flushIntervalMs: 30,
          writeTimeoutMs: 60_000,
        },
      });
      try {
        // Let the sink create its table, then lock it from another connection.
        await t.client.callTool({ name: 'echo', arguments: { text: 'first' } });
        const sink = t.module.get<{ stats(): AuditSinkStats }>(AuditSink);
        await until(() => sink.stats().written === 1);
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
        const started = Date.now();
        for (let i = 0; i < 5; i++)
          expect(
            text(await t.client.callTool({ name: 'echo', arguments: { text: `s${i}` } })),
          ).toBe(`s${i}`);
        // The INSERT waits on the lock for as long as it is held; the calls did not.
        expect(Date.now() - started).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 150));
        expect(sink.stats()).toMatchObject({ written: 1, dropped: 0, pending: 5 });
        await locker.query('COMMIT');
        await until(() => sink.stats().written === 6);
      } finally {
        await t.close();
        await locker.query(`DROP TABLE IF EXISTS "${table}"`);
        await locker.end();
      }
    },
  );
});

describe('audit trail to the log (default)', () => {
  it('is on with audit: true and writes through the log sink', async () => {
    const t = await boot({});
    try {
      await t.client.callTool({ name: 'echo', arguments: { text: 'hi', password: 'hunter2' } });
      const sink = t.module.get<{ stats(): AuditSinkStats }>(AuditSink);
      expect(sink.stats()).toEqual({ written: 1, dropped: 0, pending: 0 });
    } finally {
      await t.close();
    }
  });
});
