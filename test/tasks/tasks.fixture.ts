import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@modelcontextprotocol/client';
import { Args, Ctx, McpContext, McpModule, Tool, type McpIdentity } from '@rampart/core';
import { Idempotent } from '@rampart/resilience';
import {
  Compensate,
  Task,
  TasksModule,
  type CompensationContext,
  type TasksModuleOptions,
} from '@rampart/tasks';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { Redis } from 'ioredis';

export const REPLICA = Symbol('replica');
export const TASKS_CAPS = { extensions: { 'io.modelcontextprotocol/tasks': {} }, elicitation: {} };

/** What every replica of the fixture did, by replica name, for assertions. */
export const journal: { replica: string; event: string; taskArg?: string }[] = [];

/** Waits until `signal` aborts. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });

const input = { type: 'object' as const, properties: { id: { type: 'string' as const } } };

@Injectable()
export class FixtureTaskTools {
  constructor(@Inject(REPLICA) private readonly replica: string) {}

  /** Runs until cancelled; books something first (a side effect to compensate). */
  @Tool({ name: 'book', input, execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 50 })
  @Compensate('unbook')
  async book(@Args() args: { id?: string }, @Ctx() ctx: McpContext) {
    journal.push({ replica: this.replica, event: 'booked', taskArg: args.id });
    await untilAborted(ctx.signal);
    return 'never';
  }

  async unbook(args: { id?: string }, info: CompensationContext) {
    journal.push({ replica: this.replica, event: `unbooked:${info.reason}`, taskArg: args.id });
  }

  /** Asks to confirm, then answers on whichever replica resumes it. */
  @Tool({ name: 'confirm', input, execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 50 })
  async confirm(@Args() args: { id?: string }, @Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      {
        mode: 'form',
        message: `Confirm ${args.id}?`,
        requestedSchema: { type: 'object', properties: {} },
      },
      'ok',
    );
    return `${answer.action} ${args.id} on ${this.replica}`;
  }

  /** Hangs on replica "a" (until it stops), answers elsewhere; runs twice at most. */
  @Tool({ name: 'fragile', input, execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 50, attempts: 2 })
  async fragile(@Args() args: { id?: string }, @Ctx() ctx: McpContext) {
    if (this.replica === 'a') await untilAborted(ctx.signal);
    return `fragile ${args.id} done on ${this.replica}`;
  }

  /** Hangs on replica "a"; one run only. */
  @Tool({ name: 'once', input, execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 50, attempts: 1 })
  async once(@Args() args: { id?: string }, @Ctx() ctx: McpContext) {
    if (this.replica === 'a') await untilAborted(ctx.signal);
    return `once ${args.id}`;
  }

  /** Charges once per idempotency key (`_meta`, else `requestId`): one task per key and caller. */
  @Tool({
    name: 'charge',
    input: {
      type: 'object',
      properties: { amount: { type: 'number' }, requestId: { type: 'string' } },
      required: ['amount'],
    },
    execution: { taskSupport: 'optional' },
  })
  @Task({ pollIntervalMs: 50, handle: true })
  @Idempotent({ ttlMs: 60_000, argument: 'requestId' })
  charge(@Args() args: { amount: number; requestId?: string }, @Ctx() ctx: McpContext) {
    const who = `${ctx.identity?.tenant}/${ctx.identity?.subject}`;
    journal.push({ replica: this.replica, event: `charged:${who}`, taskArg: String(args.amount) });
    return `charged ${args.amount} for ${who}`;
  }

  /** Answers at once. */
  @Tool({ name: 'quick', input, execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 50, handle: true })
  quick(@Args() args: { id?: string }) {
    return `quick ${args.id}`;
  }
}

/** The identity of a request: headers `x-user`, `x-tenant`, `x-scopes` (comma-separated). */
export function identify(request: unknown): McpIdentity | undefined {
  const headers = (request as { headers: Record<string, string | undefined> }).headers;
  const subject = headers['x-user'];
  if (!subject) return undefined;
  return {
    subject,
    ...(headers['x-tenant'] && { tenant: headers['x-tenant'] }),
    ...(headers['x-scopes'] && { scopes: headers['x-scopes'].split(',') }),
  };
}

/** One replica of the fixture server over HTTP, speaking `era` to its first client. */
export function startReplica(
  replica: string,
  tasks: TasksModuleOptions,
  options: {
    era?: 'modern' | 'legacy';
    headers?: Record<string, string>;
    capabilities?: object;
  } = {},
): Promise<McpTestApp> {
  return createMcpTestApp({
    transport: 'http',
    era: options.era ?? 'modern',
    headers: options.headers ?? { 'x-user': 'alice', 'x-tenant': 't1' },
    client: { capabilities: (options.capabilities ?? TASKS_CAPS) as never },
    imports: [
      McpModule.forRoot({ name: 'tasks-e2e', version: '1.0.0', http: { path: '/mcp' }, identify }),
      TasksModule.forRoot(tasks),
    ],
    providers: [FixtureTaskTools, { provide: REPLICA, useValue: replica }],
  });
}

/** Any result, as the SDK client returns it for a method it has no schema of. */
const ANY = {
  '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) },
} as const;

/** Sends `method` with `params` and resolves with the raw result. */
export function rpc(
  client: Client,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return client.request({ method, params } as never, ANY as never) as Promise<
    Record<string, unknown>
  >;
}

/** Polls `read` until `done` holds; fails after `limitMs` (a bound for a slow machine). */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  limitMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${limitMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A 2026-07-28 client of the tasks extension over HTTP, request by request as the wire has it
 * (the SDK's client refuses `resultType: "task"` on `tools/call`): the per-request envelope
 * with the extension in its capabilities, and the `Mcp-Method` / `Mcp-Name` headers.
 */
export class TasksWireClient {
  private id = 0;
  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string> = {},
    private readonly capabilities: object = TASKS_CAPS,
  ) {}

  /** Sends one request; resolves with its result, rejects with `{ code, message, data }`. */
  async request(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const name =
      method === 'tools/call'
        ? params.name
        : method.startsWith('tasks/')
          ? params.taskId
          : undefined;
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        ...(typeof name === 'string' && { 'mcp-name': name }),
        ...this.headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++this.id,
        method,
        params: {
          ...params,
          _meta: {
            ...(params._meta as object),
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'tasks-e2e', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': this.capabilities,
          },
        },
      }),
    });
    const text = await res.text();
    const body = JSON.parse(text.startsWith('event:') ? text.split('data: ').pop()! : text) as {
      result?: Record<string, unknown>;
      error?: { code: number; message: string; data?: unknown };
    };
    if (body.error) throw body.error;
    return body.result!;
  }
}

/** Deletes every key of the Redis at `url` that matches `pattern` (a test's own prefix). */
export async function dropKeys(
  pattern: string,
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<void> {
  const admin = new Redis(url);
  try {
    const keys = await admin.keys(pattern);
    if (keys.length) await admin.del(...keys);
  } finally {
    await admin.quit();
  }
}
