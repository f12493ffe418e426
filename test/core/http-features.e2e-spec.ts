import {
  Injectable,
  Module,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Ctx, McpContext, McpModule, McpServers, Tool } from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';

/** Sets `req.user` the way an auth middleware (passport, a JWT check) would. */
@Injectable()
class FakeAuthMiddleware implements NestMiddleware {
  use(
    req: { headers: Record<string, string | undefined>; user?: unknown },
    _res: unknown,
    next: () => void,
  ) {
    const user = req.headers['x-user'];
    if (user) req.user = { sub: user, tenant: 'acme', scopes: ['read'] };
    next();
  }
}

@Injectable()
class FeatureTools {
  readonly started: string[] = [];
  readonly aborted: string[] = [];

  @Tool({ description: 'Who am I' })
  me(@Ctx() ctx: McpContext) {
    return { subject: ctx.identity?.subject ?? null, tenant: ctx.tenant ?? null };
  }

  @Tool({ description: 'Waits until cancelled' })
  async hang(@Ctx() ctx: McpContext) {
    this.started.push(ctx.era);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.aborted.push(ctx.era);
        resolve();
      });
    });
    return 'finished';
  }

  @Tool({ description: 'Reports the trace context' })
  trace(@Ctx() ctx: McpContext) {
    return ctx.trace ?? null;
  }

  @Tool({ description: 'a' }) t1() {}
  @Tool({ description: 'b' }) t2() {}
  @Tool({ description: 'c' }) t3() {}
}

@Module({
  imports: [McpModule.forRoot({ name: 'features', version: '1.0.0', pageSize: 2 })],
  providers: [FeatureTools],
})
class FeaturesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(FakeAuthMiddleware).forRoutes('*');
  }
}

const text = (r: { content: unknown }) =>
  (r.content as { text: string }[]).map((c) => c.text).join('');

describe.each(['express', 'fastify'] as const)('HTTP features on %s', (adapter) => {
  describe.each(['modern', 'legacy'] as const)('%s era', (era) => {
    it('honours the global prefix and runs the app middleware before the tools (identity)', async () => {
      const t = await createMcpTestApp({
        imports: [FeaturesModule],
        transport: 'http',
        adapter,
        era,
        beforeInit: (app) => {
          app.setGlobalPrefix('api');
        },
        client: {},
      });
      try {
        expect(t.url?.pathname).toBe('/api/mcp');
        // No x-user header from this client: anonymous.
        expect(JSON.parse(text(await t.client.callTool({ name: 'me', arguments: {} })))).toEqual({
          subject: null,
          tenant: null,
        });
      } finally {
        await t.close();
      }
    });

    describe('one app', () => {
      let t: McpTestApp;
      beforeAll(async () => {
        t = await createMcpTestApp({ imports: [FeaturesModule], transport: 'http', adapter, era });
      });
      afterAll(() => t.close());

      it('lists every tool in a stable order through the client (which follows cursors)', async () => {
        expect((await t.client.listTools()).tools.map((x) => x.name)).toEqual([
          'hang',
          'me',
          't1',
          't2',
          't3',
          'trace',
        ]);
      });

      it('aborts ctx.signal when the client cancels the call', async () => {
        const tools = t.app.get(FeatureTools);
        const controller = new AbortController();
        const call = t.client.callTool(
          { name: 'hang', arguments: {} },
          { signal: controller.signal },
        );
        // Cancelled once the tool runs: a cancel that overtakes the call would abort nothing.
        await until(() => tools.started.length > 0);
        controller.abort();
        await expect(call).rejects.toThrow();
        await until(() => tools.aborted.length > 0);
        expect(tools.aborted).toEqual([era]);
      });
    });
  });

  it('reads identity from the auth middleware and the trace context from the headers (2026, raw HTTP)', async () => {
    const app = await boot(adapter);
    try {
      const url = urlOf(app);
      const call = (name: string, headers: Record<string, string> = {}) =>
        post(url, modernCall(name), { ...modernHeaders('tools/call', name), ...headers });
      const me = await call('me', { 'x-user': 'u-42' });
      expect(JSON.parse(me.body.result.content[0].text)).toEqual({
        subject: 'u-42',
        tenant: 'acme',
      });
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const traced = await call('trace', { traceparent });
      expect(JSON.parse(traced.body.result.content[0].text)).toEqual({ traceparent });
    } finally {
      await app.close();
    }
  });

  it('pages lists with opaque cursors and rejects a bad cursor (2026, raw HTTP)', async () => {
    const app = await boot(adapter);
    try {
      const url = urlOf(app);
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await post(
          url,
          {
            jsonrpc: '2.0',
            id: pages,
            method: 'tools/list',
            params: { ...(cursor && { cursor }), _meta: envelope },
          },
          modernHeaders('tools/list'),
        );
        names.push(...res.body.result.tools.map((x: { name: string }) => x.name));
        cursor = res.body.result.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(names).toEqual(['hang', 'me', 't1', 't2', 't3', 'trace']);
      const bad = await post(
        url,
        {
          jsonrpc: '2.0',
          id: 9,
          method: 'tools/list',
          params: { cursor: 'bogus', _meta: envelope },
        },
        modernHeaders('tools/list'),
      );
      expect(bad.body.error.code).toBe(-32602);
      expect(bad.body.error.message).toMatch(/Invalid cursor/);
    } finally {
      await app.close();
    }
  });

  it('answers server/discover with the versions and capabilities (2026)', async () => {
    const app = await boot(adapter);
    try {
      const res = await post(
        urlOf(app),
        { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope } },
        modernHeaders('server/discover'),
      );
      expect(res.status).toBe(200);
      expect(res.body.result.supportedVersions).toContain('2026-07-28');
      expect(res.body.result.capabilities.tools).toBeDefined();
      expect(res.body.result.resultType).toBe('complete');
    } finally {
      await app.close();
    }
  });

  it('keeps 2025 sessions: GET stream notifications, resumption after a dropped stream, DELETE, identity binding', async () => {
    const app = await boot(adapter);
    try {
      const url = urlOf(app);
      const init = await post(
        url,
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        },
        { 'x-user': 'alice' },
      );
      expect(init.status).toBe(200);
      const session = init.headers.get('mcp-session-id')!;
      expect(session).toMatch(/^[0-9a-f-]{36}$/);
      const headers = {
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
        'x-user': 'alice',
      };
      expect(
        (await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status,
      ).toBe(202);

      // Another identity cannot use alice's session.
      const stolen = await post(
        url,
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { ...headers, 'x-user': 'mallory' },
      );
      expect(stolen.status).toBe(403);

      const host = app.get(McpServers).get('features');
      const first = await openStream(url, headers);
      host.addTool({ name: 'added_1', description: 'x', handler: () => 'x' });
      const event = await first.next();
      expect(event.data).toMatchObject({ method: 'notifications/tools/list_changed' });
      expect(event.id).toBeTruthy();
      first.close();
      await new Promise((r) => setTimeout(r, 50));
      // Missed while no stream was open; replayed on resumption.
      host.addTool({ name: 'added_2', description: 'x', handler: () => 'x' });
      await new Promise((r) => setTimeout(r, 50));
      const resumed = await openStream(url, { ...headers, 'last-event-id': event.id! });
      const replayed = await resumed.next();
      expect(replayed.data).toMatchObject({ method: 'notifications/tools/list_changed' });
      expect(replayed.id).not.toBe(event.id);
      resumed.close();

      const del = await fetch(url, { method: 'DELETE', headers });
      expect(del.status).toBe(200);
      const after = await post(url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, headers);
      expect(after.status).toBe(404);
    } finally {
      await app.close();
    }
  });
});

/** Resolves once `check()` holds; fails the test if it does not within `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const MODERN = '2026-07-28';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
};
const modernHeaders = (method: string, name?: string) => ({
  'mcp-protocol-version': MODERN,
  'mcp-method': method,
  ...(name && { 'mcp-name': name }),
});
const modernCall = (name: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name, arguments: {}, _meta: envelope },
});

async function boot(adapter: 'express' | 'fastify'): Promise<INestApplication> {
  const module = await Test.createTestingModule({ imports: [FeaturesModule] }).compile();
  let app: INestApplication;
  if (adapter === 'express') app = module.createNestApplication({ logger: false });
  else {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = module.createNestApplication(new FastifyAdapter(), { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  return app;
}

const urlOf = (app: INestApplication) =>
  `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;

async function post(url: string, body: object, headers: Record<string, string> = {}) {
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
  const data = raw.startsWith('{') ? JSON.parse(raw) : parseSse(raw)[0]?.data;
  return { status: res.status, headers: res.headers, body: data };
}

interface SseEvent {
  id?: string;
  data: any;
}

function parseSse(raw: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of raw.split('\n\n')) {
    const data = /^data: ?(.*)$/m.exec(block)?.[1];
    if (data) events.push({ id: /^id: ?(.*)$/m.exec(block)?.[1], data: JSON.parse(data) });
  }
  return events;
}

/** Opens the 2025 GET stream and yields its events one by one. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let buffer = '';
  return {
    async next(): Promise<{ id?: string; data: any }> {
      const deadline = Date.now() + 3000;
      for (;;) {
        const events = parseSse(buffer);
        const cut = buffer.indexOf('\n\n');
        if (events.length && cut >= 0) {
          buffer = buffer.slice(cut + 2);
          return events[0];
        }
        if (cut >= 0) {
          buffer = buffer.slice(cut + 2);
          continue;
        }
        if (Date.now() > deadline) throw new Error(`no SSE event; buffer: ${buffer}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += new TextDecoder().decode(value);
      }
    },
    close: () => controller.abort(),
  };
}
