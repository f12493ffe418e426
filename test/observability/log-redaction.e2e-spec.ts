import { Logger as NestLogger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { Logger } from 'nestjs-pino';
import { McpModule } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { SecurityModule } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from '../security/local-issuer';
import { CalcTools } from './metrics-fixture';

class Lines extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text.push(chunk.toString());
    done();
  }
  get lines(): Record<string, unknown>[] {
    return this.text
      .join('')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

// nestjs-pino keeps one pino-http middleware per process (made by the first app), so one app.
describe('no credential in the logs (Express, nestjs-pino)', () => {
  const out = new Lines();
  let issuer: LocalIssuer;
  let t: McpTestApp;
  let token: string;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    token = await issuer.token({ sub: 'alice', scope: 'calc' });
    t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        SecurityModule.forRoot({
          resource: 'https://mcp.test/mcp',
          jwt: { issuer: issuer.issuer, keys: await issuer.publicJwks() },
        }),
        ObservabilityModule.forRoot({
          metrics: true,
          audit: true, // the log sink: audit records go to the same lines
          logging: { destination: out, httpRequests: true, arguments: true, methods: '*' },
        }),
      ],
      providers: [CalcTools],
      transport: 'http',
      adapter: 'express',
      headers: { authorization: `Bearer ${token}` },
      beforeInit: (app) => app.useLogger(app.get(Logger)),
    });
  });
  afterAll(async () => {
    await t?.close();
    await issuer.close();
  });

  it('logs requests with a bearer token, an API key, a cookie and a query token without any of them', async () => {
    const apiKey = 'rk_live_4f9a8b7c6d5e4f3a2b1c';
    const cookie = 'session=c00k1e-s3cr3t';
    const queryToken = 'q-s3cr3t-t0k3n';
    const forged = `${token.slice(0, -6)}AAAAAA`;
    out.text.length = 0;

    // A route other than MCP: pino-http's request line carries the headers and the URL.
    const metrics = await fetch(new URL(`/metrics?access_token=${queryToken}&x=1`, t.url), {
      headers: { authorization: `Bearer ${token}`, 'x-api-key': apiKey, cookie },
    });
    expect(metrics.status).toBe(200);
    await metrics.text();
    // The MCP endpoint: a call line with its arguments, and a refused token (audited).
    await t.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    const refused = await fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${forged}`,
        'x-api-key': apiKey,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(refused.status).toBe(401);
    await refused.text();
    // Nest's own logger, as application code uses it.
    new NestLogger('App').log({ msg: 'login', token, user: { api_key: apiKey } });

    // pino-http writes its line when the response has finished, which may be after the
    // client has it.
    const deadline = Date.now() + 10_000;
    while (!out.lines.some((l) => 'req' in l) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));

    const request = out.lines.find((l) => 'req' in l) as {
      req: { url: string; headers: Record<string, string> };
    };
    expect(request.req.url).toBe('/metrics?access_token=[REDACTED]&x=1');
    expect(request.req.headers).toMatchObject({
      authorization: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      cookie: '[REDACTED]',
    });
    expect(out.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'tools/call add' }),
        expect.objectContaining({
          audit: expect.objectContaining({ method: 'authentication', reason: 'bad-signature' }),
        }),
        expect.objectContaining({
          msg: 'login',
          token: '[REDACTED]',
          user: { api_key: '[REDACTED]' },
        }),
      ]),
    );
    const all = out.text.join('');
    for (const secret of [token, forged, apiKey, cookie, queryToken, token.split('.')[2]])
      expect(all).not.toContain(secret);
  });
});
