import { Injectable } from '@nestjs/common';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { ObservabilityModule, type AuditRecord, type AuditSink } from '@rampart/observability';
import {
  RequiresApproval,
  TasksModule,
  WebhookApprovalNotifier,
  type ApprovalKey,
  type TasksModuleOptions,
} from '@rampart/tasks';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identify } from './tasks.fixture';

/** The approval keys of the fixture: `k2` signs, `k1` (the previous key) still verifies. */
export const KEYS: ApprovalKey[] = [
  { kid: 'k2', secret: 'approval-key-two-0123456789abcdef0123' },
  { kid: 'k1', secret: 'approval-key-one-0123456789abcdef0123' },
];

/** Each run of a tool that needed an approval, by replica, for assertions. */
export const runs: { replica: string; tool: string; args: Record<string, unknown> }[] = [];

const input = {
  type: 'object' as const,
  properties: { scope: { type: 'string' as const } },
  additionalProperties: false,
};

@Injectable()
export class ApprovalTools {
  replica = 'a';

  @Tool({ name: 'purge', input, annotations: { destructiveHint: true } })
  @RequiresApproval({ approvers: 'pages:approve', reason: 'Deletes stored pages' })
  purge(@Args() args: { scope?: string }, @Ctx() ctx: McpContext) {
    runs.push({ replica: this.replica, tool: 'purge', args });
    return `purged ${args.scope} for ${ctx.identity?.subject} on ${this.replica}`;
  }

  @Tool({ name: 'purge_soon', input })
  @RequiresApproval({ approvers: 'pages:approve', ttlMs: 300 })
  purgeSoon(@Args() args: { scope?: string }) {
    runs.push({ replica: this.replica, tool: 'purge_soon', args });
    return 'purged';
  }

  /** Needs an approval through the module's default for destructive tools. */
  @Tool({ name: 'wipe', input, annotations: { destructiveHint: true } })
  wipe(@Args() args: { scope?: string }) {
    runs.push({ replica: this.replica, tool: 'wipe', args });
    return 'wiped';
  }

  @Tool({ name: 'look', input, annotations: { readOnlyHint: true } })
  look() {
    return 'nothing needs approving here';
  }
}

/** An audit sink that keeps the records, in memory. */
export class CapturingSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
}

/** A webhook receiver on 127.0.0.1 that keeps what it is sent. */
export async function startReceiver(): Promise<{
  url: string;
  bodies: Record<string, unknown>[];
  close: () => Promise<void>;
}> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/approvals`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** One replica of the approvals fixture over HTTP; its client is `alice` of tenant `t1`. */
export async function startApprovalsApp(
  replica: string,
  options: {
    tasks?: Partial<TasksModuleOptions>;
    webhook?: string;
    sink?: AuditSink;
    adapter?: 'express' | 'fastify';
  } = {},
): Promise<McpTestApp> {
  const app = await createMcpTestApp({
    transport: 'http',
    era: 'modern',
    adapter: options.adapter,
    headers: { 'x-user': 'alice', 'x-tenant': 't1', 'x-scopes': 'pages:approve' },
    imports: [
      McpModule.forRoot({
        name: 'approvals-e2e',
        version: '1.0.0',
        http: { path: '/mcp' },
        identify,
      }),
      ObservabilityModule.forRoot({
        metrics: true,
        ...(options.sink && { audit: { sink: options.sink } }),
      }),
      TasksModule.forRoot({
        pollIntervalMs: 50,
        ...options.tasks,
        approvals: {
          keys: KEYS,
          authorize: (req) => Promise.resolve(identify(req)),
          destructive: { approvers: 'ops:approve' },
          sweepIntervalMs: 50,
          ...(options.webhook && {
            notifiers: [new WebhookApprovalNotifier({ url: options.webhook })],
          }),
          ...options.tasks?.approvals,
        },
      }),
    ],
    providers: [ApprovalTools],
  });
  app.app.get(ApprovalTools).replica = replica;
  return app;
}

/** An approver's request to the approval endpoints of `app`. */
export async function approvals(
  app: McpTestApp,
  method: 'GET' | 'POST',
  path: string,
  who: { user: string; tenant?: string; scopes?: string },
  body?: unknown,
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(new URL(`/rampart/approvals${path}`, app.url), {
    method,
    headers: {
      'x-user': who.user,
      ...(who.tenant && { 'x-tenant': who.tenant }),
      ...(who.scopes && { 'x-scopes': who.scopes }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Bob, an approver of tenant t1. */
export const BOB = { user: 'bob', tenant: 't1', scopes: 'pages:approve,ops:approve' };
