import { Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Args,
  Ctx,
  McpContext,
  McpModule,
  McpServers,
  Resource,
  Tool,
  type McpHttpOptions,
  type McpStateOptions,
} from '@rampart/core';

/** The tools every replica runs. */
@Injectable()
export class SessionTools {
  @Tool({ description: 'Echoes its text' })
  echo(@Args() input: { text: string }) {
    return input.text;
  }

  @Tool({ description: 'The session and identity of the call' })
  whoami(@Ctx() ctx: McpContext) {
    return {
      session: ctx.sessionId ?? null,
      subject: ctx.identity?.subject ?? null,
      client: ctx.clientInfo?.name ?? null,
    };
  }

  @Tool({ description: 'Asks the user for a name' })
  async greet(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit({
      mode: 'form',
      message: 'Your name?',
      requestedSchema: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
      },
    });
    return answer.action === 'accept' ? `Hello, ${String(answer.content?.name)}` : 'No name given';
  }

  @Tool({ description: 'Logs at info and at error' })
  async chatty(@Ctx() ctx: McpContext) {
    ctx.log('info', 'an info line');
    ctx.log('error', 'an error line');
    return 'logged';
  }

  @Resource({ uri: 'memo://today', mimeType: 'text/plain' })
  today() {
    return 'buy milk';
  }
}

/** Options of one replica. */
export interface ReplicaOptions {
  state?: McpStateOptions;
  http?: McpHttpOptions;
}

@Module({})
export class SessionsModule {
  static register(options: ReplicaOptions): DynamicModule {
    return {
      module: SessionsModule,
      imports: [
        McpModule.forRoot({
          name: 'sessions',
          version: '1.0.0',
          http: { path: '/mcp', ...options.http },
          state: options.state,
          // The identity comes from a header, as an auth middleware would set it.
          identify: (req) => {
            const user = (req as { headers: Record<string, string | undefined> }).headers['x-user'];
            return user ? { subject: user } : undefined;
          },
        }),
      ],
      providers: [SessionTools],
    };
  }
}

/** One running replica. */
export interface Replica {
  app: INestApplication;
  url: string;
  /** Publishes a list change on this replica, as a feature flag flip would. */
  notifyListChanged(): void;
  notifyResourceUpdated(uri: string): void;
}

/** Boots a replica on a loopback port. */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const module = await Test.createTestingModule({
    imports: [SessionsModule.register(options)],
  }).compile();
  const app = module.createNestApplication({ logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const host = app.get(McpServers).get('sessions');
  return {
    app,
    url: `http://127.0.0.1:${port}/mcp`,
    notifyListChanged: () => host.notifyListChanged('tools'),
    notifyResourceUpdated: (uri) => host.notifyResourceUpdated(uri),
  };
}

/** One request as the balancer sent it. */
export interface Routed {
  to: string;
  method: string;
  rpc?: string;
  lastEventId?: string;
}

/**
 * A load balancer in front of the replicas, as a `fetch` for the SDK client: each request goes
 * to `target`, or where `route` says. It can drop the open GET streams, as a proxy that
 * restarts does.
 */
export class Balancer {
  target: string;
  route?: (request: { method: string; body: unknown }) => string | undefined;
  readonly log: Routed[] = [];
  private readonly streams = new Set<AbortController>();

  constructor(private readonly replicas: Record<string, Replica>) {
    this.target = Object.keys(replicas)[0];
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const to = this.route?.({ method, body }) ?? this.target;
    const url = new URL(this.replicas[to].url);
    const headers = new Headers(init.headers);
    this.log.push({
      to,
      method,
      ...(body && !Array.isArray(body) && { rpc: body.method ?? 'response' }),
      ...(headers.get('last-event-id') && { lastEventId: headers.get('last-event-id')! }),
    });
    if (method !== 'GET') return fetch(url, init);
    const drop = new AbortController();
    this.streams.add(drop);
    const signal = init.signal ? AbortSignal.any([init.signal, drop.signal]) : drop.signal;
    return fetch(url, { ...init, signal });
  };

  /** Cuts every open GET stream. */
  dropStreams(): void {
    for (const drop of this.streams) drop.abort(new Error('the balancer dropped the stream'));
    this.streams.clear();
  }
}

/** Resolves when `check` passes, polling. */
export async function until(check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('Timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const LEGACY = '2025-11-25';
export const MODERN = '2026-07-28';

/** Posts one JSON-RPC message; returns the status, headers and the first JSON-RPC message. */
export async function post(url: string, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  const data = raw.startsWith('{') ? JSON.parse(raw) : sseEvents(raw)[0]?.data;
  return { status: res.status, headers: res.headers, body: data };
}

/** Opens a 2025 session with a raw `initialize`; returns its id and the headers to use it. */
export async function openSession(url: string, headers: Record<string, string> = {}) {
  const init = await post(
    url,
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LEGACY,
        capabilities: {},
        clientInfo: { name: 'raw', version: '1.0.0' },
      },
    },
    headers,
  );
  const id = init.headers.get('mcp-session-id');
  const use = { ...headers, 'mcp-session-id': id ?? '', 'mcp-protocol-version': LEGACY };
  if (id) await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, use);
  return { status: init.status, init, id, headers: use };
}

export interface SseEvent {
  id?: string;
  data: any;
}

export function sseEvents(raw: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of raw.split('\n\n')) {
    const data = /^data:(.*)$/m.exec(block)?.[1]?.trim();
    if (data) events.push({ id: /^id: ?(.*)$/m.exec(block)?.[1], data: JSON.parse(data) });
  }
  return events;
}

/** An open SSE stream (a GET stream or a listen stream), read event by event. */
export interface SseStream {
  status: number;
  /** The next event with data, or `undefined` when the stream ended or `ms` passed. */
  next(ms?: number): Promise<SseEvent | undefined>;
  close(): void;
}

export async function openStream(
  url: string,
  headers: Record<string, string>,
  init: RequestInit = { method: 'GET' },
): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    ...init,
    headers: { accept: 'text/event-stream, application/json', ...headers },
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  return {
    status: res.status,
    async next(ms = 2_000) {
      const end = Date.now() + ms;
      for (;;) {
        const cut = buffer.indexOf('\n\n');
        if (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const [event] = sseEvents(`${block}\n\n`);
          if (event) return event;
          continue;
        }
        pending ??= reader.read();
        const left = end - Date.now();
        if (left <= 0) return undefined;
        const result = await Promise.race([
          pending,
          new Promise<'late'>((r) => setTimeout(() => r('late'), left)),
        ]);
        if (result === 'late') return undefined;
        pending = undefined;
        if (result.done) return undefined;
        buffer += decoder.decode(result.value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}
