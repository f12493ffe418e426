import { Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { AbstractHttpAdapter, HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminHttpBody } from './admin-http';
import { sendAdminJson } from './admin-http';
import { mountAdminHttp, type AdminHttpEndpoints } from './admin-http.mount';

/** What the handler was given, per request. */
const seen: { method?: string; segments: readonly string[]; body: AdminHttpBody }[] = [];

/** Answers each request with what it was given, as the features' handlers would read it. */
const endpoints: AdminHttpEndpoints = {
  basePath: 'admin/things/',
  routes: [
    { method: 'GET', segments: 0 },
    { method: 'PUT', segments: 1 },
    { method: 'POST', segments: 2 },
  ],
  bodyLimitBytes: 64,
  unsupportedAdapter: (type) => `No admin endpoints on "${type}"`,
  handle(req: IncomingMessage, res: ServerResponse, segments, body) {
    seen.push({ method: req.method, segments, body });
    sendAdminJson(res, 200, { segments, body });
    return Promise.resolve();
  },
};

@Injectable()
class Mounter implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}
  onModuleInit() {
    mountAdminHttp(this.host.httpAdapter, endpoints);
  }
}

@Module({ providers: [Mounter] })
class AdminModule {}

describe.each(['express', 'fastify'] as const)('mountAdminHttp on %s', (adapter) => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(
      AdminModule,
      adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = `${await app.getUrl()}/admin/things`.replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app?.close());
  beforeEach(() => (seen.length = 0));

  const send = (method: string, path: string, body?: string, type = 'application/json') =>
    fetch(`${base}${path}`, {
      method,
      ...(body !== undefined && { body, headers: { 'content-type': type } }),
    });

  it('routes the base path and the segments below it, as sent', async () => {
    let res = await send('GET', '');
    expect(await res.json()).toMatchObject({ segments: [] });
    const uri = encodeURIComponent('https://docs.example.com/a/b?c=d');
    res = await send('POST', `/web/${uri}`, '{"reason":"x"}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      segments: ['web', uri],
      body: { parsed: true, value: { reason: 'x' } },
    });
    res = await send('PUT', '/web?x=1');
    expect(await res.json()).toMatchObject({ segments: ['web'] });
  });

  it('leaves deeper paths to the app: no route', async () => {
    const res = await send('POST', '/a/b/c', '{}');
    expect(res.status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('hands the body parsers refusals to the handler, which answers them', async () => {
    const cases: [string, string, { status: number; message: string }][] = [
      ['{"reason":', 'application/json', { status: 400, message: 'The body is not valid JSON' }],
      // Past Fastify's limit on these routes (64 bytes), and Express's JSON parser's (100 KB).
      [
        JSON.stringify({ reason: 'x'.repeat(200_000) }),
        'application/json',
        { status: 413, message: 'The body is larger than 64 bytes' },
      ],
    ];
    for (const [body, type, refused] of cases) {
      const res = await send('PUT', '/web', body, type);
      expect(await res.json()).toEqual({ segments: ['web'], body: { refused } });
    }
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT']);
  });

  it('hands a body no parser takes to the handler, or its refusal as not JSON', async () => {
    const res = await send('PUT', '/web', 'reason', 'application/x-unknown');
    const answer = (await res.json()) as { body: AdminHttpBody };
    // Express leaves an unknown type in the stream; Fastify refuses it.
    expect(answer.body).toEqual(
      adapter === 'express'
        ? { parsed: false }
        : { refused: { status: 415, message: 'The body must be JSON (application/json)' } },
    );
  });

  it('refuses an adapter other than Express or Fastify at mount', () => {
    const other = { getType: () => 'koa' } as unknown as AbstractHttpAdapter;
    expect(() => mountAdminHttp(other, endpoints)).toThrow('No admin endpoints on "koa"');
  });
});
