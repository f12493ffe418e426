import { NestFactory } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { McpModule } from '@rampart/core';
import {
  OBSERVABILITY_REGISTRY,
  ObservabilityEndpointsModule,
  ObservabilityModule,
  ReadinessState,
} from '@rampart/observability';
import { OperationsGuard, SecurityModule, SecurityService } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { bootstrap, type ClockServer } from '../../docs/examples/operations.example';
import { CalcTools } from '../observability/metrics-fixture';
import { LocalIssuer } from './local-issuer';
import { readinessAfterWarmUp } from '../readiness';

const RESOURCE = 'https://mcp.test/mcp';
const METADATA = 'https://mcp.test/.well-known/oauth-protected-resource/mcp';

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: {
    name,
    arguments: args,
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

const postCall = (url: URL | string, body: ReturnType<typeof call>, headers = {}) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': body.method,
      'mcp-name': body.params.name,
      ...headers,
    },
    body: JSON.stringify(body),
  });

describe.each(['express', 'fastify'] as const)(
  'operational endpoints behind OperationsGuard on %s',
  (adapter) => {
    let issuer: LocalIssuer;
    let t: McpTestApp;
    let admin: string;
    let viewer: string;

    const get = (path: string, token?: string) =>
      fetch(new URL(path, t.url), {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const denials = async (name: string, reason: string) => {
      const metric = await t.app.get<Registry>(OBSERVABILITY_REGISTRY).getSingleMetric(name)!.get();
      return (
        metric.values.find((v) => v.labels.server === 'operations' && v.labels.reason === reason)
          ?.value ?? 0
      );
    };

    beforeAll(async () => {
      issuer = await LocalIssuer.start();
      admin = await issuer.token({ sub: 'ops', scope: 'rampart:admin' });
      viewer = await issuer.token({ sub: 'dev', scope: 'calc' });
      t = await createMcpTestApp({
        imports: [
          McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
          SecurityModule.forRoot({
            resource: RESOURCE,
            jwt: { issuer: issuer.issuer, keys: await issuer.publicJwks() },
          }),
          ObservabilityModule.forRoot({
            metrics: true,
            health: true,
            slo: true,
            endpoints: { guards: [OperationsGuard] },
          }),
        ],
        providers: [CalcTools],
        transport: 'http',
        adapter,
        headers: { authorization: `Bearer ${viewer}` },
      });
    });
    afterAll(async () => {
      await t?.close();
      await issuer.close();
    });

    it('answers 401 with the challenge without a token', async () => {
      const res = await get('/metrics');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA}"`);
      expect(await res.json()).toMatchObject({ statusCode: 401, error: 'unauthorized' });
      expect(await denials('rampart_auth_failures_total', 'missing')).toBe(1);
    });

    it('answers 401 invalid_token for a forged token', async () => {
      const res = await get('/metrics', `${admin.slice(0, -4)}AAAA`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      await res.body?.cancel();
    });

    it('answers 403 naming the admin scope to a token without it', async () => {
      const res = await get('/metrics', viewer);
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${METADATA}", error="insufficient_scope", scope="rampart:admin", error_description="The token lacks a scope this needs"`,
      );
      expect(await res.json()).toMatchObject({ statusCode: 403, error: 'insufficient_scope' });
      expect(await denials('rampart_access_denials_total', 'insufficient-scope')).toBe(1);
    });

    it('serves the admin scope, on every operational endpoint', async () => {
      const metrics = await get('/metrics', admin);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP rampart_auth_failures_total/m);
      for (const path of ['/health/live', '/health/ready', '/slo']) {
        expect((await get(path)).status).toBe(401);
        expect((await get(path, viewer)).status).toBe(403);
        const res = await get(path, admin);
        expect(res.status).toBe(200);
        await res.body?.cancel();
      }
    });

    it('leaves the MCP endpoint to its own rules', async () => {
      const res = await postCall(t.url!, call(1, 'add', { a: 1, b: 2 }), {
        authorization: `Bearer ${viewer}`,
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"3"');
    });
  },
);

describe('operational endpoints on their own port (the guide example)', () => {
  let server: ClockServer;
  let ports: { app: number; operations: number };
  let appClosed = false;
  const on = (app: 'app' | 'operations', path: string) =>
    new URL(path, `http://127.0.0.1:${ports[app]}`);
  const portOf = (app: { getHttpServer(): { address(): unknown } }) =>
    (app.getHttpServer().address() as { port: number }).port;
  /** `/health/ready` of the operations port, once the event loop's first window is behind it. */
  const readiness = () => readinessAfterWarmUp(on('operations', '/health/ready'));

  beforeAll(async () => {
    server = await bootstrap(0, 0);
    ports = { app: portOf(server.app), operations: portOf(server.operations) };
  });
  afterAll(async () => {
    if (!appClosed) await server?.app.close();
    await server?.operations.close();
  });

  it('serves /metrics, /health/* and /slo on the operations port only, from the MCP app', async () => {
    const res = await postCall(on('app', '/mcp'), call(1, 'now'));
    expect(res.status).toBe(200);
    await res.text();

    const metrics = await fetch(on('operations', '/metrics'));
    expect(metrics.status).toBe(200);
    // The call made on the MCP port is counted in what the operations port serves.
    expect(await metrics.text()).toMatch(
      /^rampart_tool_calls_total\{server="clock",gen_ai_tool_name="now",outcome="success",error_code=""\} 1$/m,
    );
    for (const path of ['/health/live', '/slo']) {
      const ok = await fetch(on('operations', path));
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
    }
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.details).toHaveProperty('event_loop');
    for (const path of ['/metrics', '/health/live', '/health/ready', '/slo']) {
      const missing = await fetch(on('app', path));
      expect(missing.status).toBe(404);
      await missing.body?.cancel();
    }
  });

  it('leaves the MCP app its lifecycle: closing the operations app drains nothing', async () => {
    const extra = await NestFactory.create(ObservabilityEndpointsModule.forApp(server.app), {
      logger: false,
    });
    await extra.init();
    await extra.close();
    expect(server.app.get(ReadinessState).shuttingDown).toBe(false);
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.details.shutdown).toMatchObject({ status: 'up' });
  });

  it('takes guards built from the MCP app', async () => {
    const issuer = await LocalIssuer.start();
    const secured = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        SecurityModule.forRoot({
          resource: RESOURCE,
          jwt: { issuer: issuer.issuer, keys: await issuer.publicJwks() },
        }),
        ObservabilityModule.forRoot({ metrics: true, endpoints: { serve: false } }),
      ],
      providers: [CalcTools],
      transport: 'http',
      headers: { authorization: `Bearer ${await issuer.token({ sub: 'dev' })}` },
    });
    const guard = new OperationsGuard(secured.app.get(SecurityService));
    const ops = await NestFactory.create(
      ObservabilityEndpointsModule.forApp(secured.app, { guards: [guard] }),
      { logger: false },
    );
    try {
      await ops.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${portOf(ops)}/metrics`;
      expect((await fetch(new URL('/metrics', secured.url))).status).toBe(404);
      const refused = await fetch(url);
      expect(refused.status).toBe(401);
      await refused.body?.cancel();
      const admin = await issuer.token({ sub: 'ops', scope: 'rampart:admin' });
      const served = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
      expect(served.status).toBe(200);
      await served.body?.cancel();
    } finally {
      await ops.close();
      await secured.close();
      await issuer.close();
    }
  });

  it('shares readiness: once the MCP app shuts down, the operations port says so', async () => {
    await server.app.close();
    appClosed = true;
    const ready = await fetch(on('operations', '/health/ready'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { shutdown: { status: 'down' } } });
  });
});
