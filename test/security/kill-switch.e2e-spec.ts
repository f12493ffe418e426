import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { McpModule, Tool } from '@rampart/core';
import { RedisKillSwitchStore, SecurityModule } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from './local-issuer';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

@Injectable()
class OpsTools {
  @Tool({ description: 'Deploys a build', annotations: { destructiveHint: true } })
  deploy() {
    return 'deployed';
  }

  @Tool({ description: 'Service status', annotations: { readOnlyHint: true } })
  status() {
    return 'ok';
  }
}

function replica(issuer: LocalIssuer, prefix: string): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'ops', version: '1.0.0' }),
      SecurityModule.forRoot({
        resource: 'https://mcp.test/mcp',
        jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
        governance: {
          killSwitch: new RedisKillSwitchStore(REDIS_URL, { keyPrefix: prefix }),
        },
      }),
    ],
    providers: [OpsTools],
  })
  class Replica {}
  return { module: Replica };
}

/** Polls `read` until `done` holds (bounded): a change reaches the other replica through Redis. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kill switches across replicas, through the real Redis', () => {
  let issuer: LocalIssuer;
  let a: McpTestApp;
  let b: McpTestApp;
  const prefix = `rampart:test:kill:${randomUUID()}`;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const headers = { authorization: `Bearer ${await issuer.token({ sub: 'dev' })}` };
    a = await createMcpTestApp({
      imports: [replica(issuer, prefix)],
      transport: 'http',
      adapter: 'express',
      headers,
    });
    b = await createMcpTestApp({
      imports: [replica(issuer, prefix)],
      transport: 'http',
      adapter: 'fastify',
      era: 'legacy',
      headers,
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await issuer.close();
    const redis = new Redis(REDIS_URL);
    await redis.del(prefix);
    redis.disconnect();
  });

  const admin = async (replicaUrl: URL, method: 'PUT' | 'DELETE', scope: string) =>
    fetch(new URL('/rampart/admin/kill-switches/ops/deploy', replicaUrl), {
      method,
      headers: {
        authorization: `Bearer ${await issuer.token({ sub: 'oncall', scope })}`,
        'content-type': 'application/json',
      },
      ...(method === 'PUT' && { body: JSON.stringify({ reason: 'bad release' }) }),
    });
  const names = async (t: McpTestApp) =>
    (await t.client.listTools()).tools.map((x) => x.name).sort();

  it('refuses a caller without the admin scope: the tool stays in service', async () => {
    const res = await admin(a.url!, 'PUT', 'ops:read');
    expect(res.status).toBe(403);
    await res.body?.cancel();
    expect(await names(b)).toEqual(['deploy', 'status']);
  });

  it('takes a tool out of service on every replica, announces it, and restores it', async () => {
    const changed = new Promise<void>((resolve) =>
      b.client.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
    );
    const thrown = await admin(a.url!, 'PUT', 'rampart:admin');
    expect(thrown.status).toBe(200);
    expect(await thrown.json()).toMatchObject({
      killSwitch: { server: 'ops', target: 'deploy', reason: 'bad release', by: 'oncall' },
    });

    // Replica B (another process in production) learns it through Redis.
    await changed;
    expect(
      await until(
        () => names(b),
        (n) => !n.includes('deploy'),
      ),
    ).toEqual(['status']);
    await expect(b.client.callTool({ name: 'deploy', arguments: {} })).rejects.toThrow(
      /Unknown tool: deploy/,
    );
    expect(await names(a)).toEqual(['status']);

    const restored = await admin(b.url!, 'DELETE', 'rampart:admin');
    expect(restored.status).toBe(204);
    expect(
      await until(
        () => names(a),
        (n) => n.includes('deploy'),
      ),
    ).toEqual(['deploy', 'status']);
    expect((await b.client.callTool({ name: 'deploy', arguments: {} })).content).toEqual([
      { type: 'text', text: 'deployed' },
    ]);
  });
});
