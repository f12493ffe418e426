import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  Inject,
  Injectable,
  Module,
  type INestApplication,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { McpProtocolError, type McpIdentity } from '@rampart/core';
import {
  createKillSwitchAdminHandler,
  InMemoryKillSwitchStore,
  KillSwitchStore,
  mountKillSwitchAdmin,
  RedisKillSwitchStore,
  type KillSwitch,
  type KillSwitchAdminAuthorize,
} from '@rampart/security';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = '2026-03-04T05:06:07.000Z';
const ADMIN_SCOPE = 'rampart:admin';

/**
 * Bearer `alice` holds the admin scope, bearer `bob` does not; anything else is unauthenticated.
 * As the security module's will, it refuses with errors that carry an HTTP status.
 */
const authorize: KillSwitchAdminAuthorize = async (req: IncomingMessage) => {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const identities: Record<string, McpIdentity> = {
    alice: { subject: 'alice', scopes: [ADMIN_SCOPE] },
    bob: { subject: 'bob', scopes: ['tools:read'] },
  };
  const identity = token === undefined ? undefined : identities[token];
  if (!identity)
    throw Object.assign(new Error('A valid bearer token is required'), {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer resource_metadata="http://127.0.0.1/.well-known"' },
    });
  if (!identity.scopes?.includes(ADMIN_SCOPE))
    throw new McpProtocolError(
      -32000,
      `insufficient_scope: the ${ADMIN_SCOPE} scope is required`,
      undefined,
      403,
    );
  return identity;
};

@Injectable()
class KillSwitchAdminRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(KillSwitchStore) private readonly store: KillSwitchStore,
  ) {}

  onModuleInit(): void {
    mountKillSwitchAdmin(
      this.adapterHost.httpAdapter,
      '/admin',
      createKillSwitchAdminHandler(this.store, authorize, { now: () => new Date(NOW) }),
    );
  }
}

async function startApp(
  adapter: 'express' | 'fastify',
  store: KillSwitchStore,
): Promise<{ app: INestApplication; base: string }> {
  @Module({ providers: [{ provide: KillSwitchStore, useValue: store }, KillSwitchAdminRoutes] })
  class AdminModule {}
  const module = await Test.createTestingModule({ imports: [AdminModule] }).compile();
  const options = { logger: false as const, forceCloseConnections: true };
  const app =
    adapter === 'express'
      ? module.createNestApplication(options)
      : module.createNestApplication(new FastifyAdapter(), options);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}/admin/kill-switches` };
}

const as = (who: 'alice' | 'bob' | 'nobody', headers: Record<string, string> = {}) =>
  who === 'nobody' ? headers : { authorization: `Bearer ${who}`, ...headers };
const json = { 'content-type': 'application/json' };

describe.each(['express', 'fastify'] as const)('kill switch admin endpoints on %s', (adapter) => {
  let app: INestApplication;
  let base: string;
  let store: InMemoryKillSwitchStore;

  beforeEach(async () => {
    store = new InMemoryKillSwitchStore();
    ({ app, base } = await startApp(adapter, store));
  });

  afterEach(() => app.close());

  it('lists, throws (recording who and when) and restores switches, a resource URI as the target', async () => {
    let res = await fetch(base, { headers: as('alice') });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ killSwitches: [] });

    const uri = 'file:///docs/a b/ü?x=1&y=%20#frag';
    res = await fetch(`${base}/web/${encodeURIComponent(uri)}`, {
      method: 'PUT',
      headers: as('alice', json),
      body: JSON.stringify({ reason: 'incident 42' }),
    });
    expect(res.status).toBe(200);
    const thrown = { server: 'web', target: uri, reason: 'incident 42', by: 'alice', at: NOW };
    expect(await res.json()).toEqual({ killSwitch: thrown });

    // A whole server, without a body, and with an empty JSON body.
    res = await fetch(`${base}/other`, { method: 'PUT', headers: as('alice') });
    expect(res.status).toBe(200);
    res = await fetch(`${base}/web`, { method: 'PUT', headers: as('alice', json) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ killSwitch: { server: 'web', by: 'alice', at: NOW } });

    const listed = [
      { server: 'other', by: 'alice', at: NOW },
      { server: 'web', by: 'alice', at: NOW },
      thrown,
    ];
    expect(await store.list()).toEqual(listed);
    res = await fetch(base, { headers: as('alice') });
    expect(await res.json()).toEqual({ killSwitches: listed });

    res = await fetch(`${base}/web/${encodeURIComponent(uri)}`, {
      method: 'DELETE',
      headers: as('alice'),
    });
    expect(res.status).toBe(204);
    res = await fetch(`${base}/web/${encodeURIComponent(uri)}`, {
      method: 'DELETE',
      headers: as('alice'),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'not_found',
      message: `No kill switch is thrown for "${uri}" of server "web"`,
    });
    res = await fetch(`${base}/web`, { method: 'DELETE', headers: as('alice') });
    expect(res.status).toBe(204);
    expect(await store.list()).toEqual([{ server: 'other', by: 'alice', at: NOW }]);
  });

  it('takes a long resource URI as one target; more path segments are no route', async () => {
    const uri = `https://docs.example.com/${'chapter/'.repeat(60)}index.html?page=2`;
    let res = await fetch(`${base}/web/${encodeURIComponent(uri)}`, {
      method: 'PUT',
      headers: as('alice'),
    });
    expect(res.status).toBe(200);
    expect(await store.list()).toEqual([{ server: 'web', target: uri, by: 'alice', at: NOW }]);
    res = await fetch(`${base}/web/${encodeURIComponent(uri)}`, {
      method: 'DELETE',
      headers: as('alice'),
    });
    expect(res.status).toBe(204);

    res = await fetch(`${base}/web/a/b`, { method: 'PUT', headers: as('alice') });
    expect(res.status).toBe(404);
    expect(await store.list()).toEqual([]);
  });

  it('answers bad requests with JSON naming the problem, and changes nothing', async () => {
    const put = (path: string, body?: string, headers: Record<string, string> = json) =>
      fetch(`${base}/${path}`, { method: 'PUT', headers: as('alice', headers), body });
    const cases: [Response, number, string][] = [
      [await put('web', '[1]'), 400, 'The body must be a JSON object: { "reason"? }'],
      [await put('web', '{"reason":"x","by":"mallory"}'), 400, 'Unknown field "by"'],
      [await put('web', '{"reason":5}'), 400, '"reason" must be a non-empty string'],
      [await put('web', '{"reason":'), 400, 'The body is not valid JSON'],
      [await put('web', 'reason', { 'content-type': 'text/plain' }), 415, 'must be JSON'],
      [await put(`web/${encodeURIComponent('a\nb')}`), 400, '"target" must not contain control'],
      // Fastify's router refuses a path it cannot decode before any route (its own message).
      [
        await put('web/%E0%A4%A'),
        400,
        adapter === 'express' ? 'not valid percent-encoding' : 'not a valid url component',
      ],
      [await put(`${'s'.repeat(300)}`), 400, '"server" must be at most 256 characters'],
    ];
    for (const [res, status, message] of cases) {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.message).toContain(message);
    }
    expect(await store.list()).toEqual([]);
  });

  it('the attack: a caller without the admin scope can neither throw nor clear a switch, nor list them', async () => {
    await store.set({ server: 'web', target: 'delete_page', reason: 'incident', at: NOW });
    const before = await store.list();

    for (const who of ['bob', 'nobody'] as const) {
      const status = who === 'bob' ? 403 : 401;
      const attempts = [
        fetch(`${base}/web`, {
          method: 'PUT',
          headers: as(who, json),
          body: '{"reason":"I want it off"}',
        }),
        fetch(`${base}/web/delete_page`, { method: 'DELETE', headers: as(who) }),
        fetch(base, { headers: as(who) }),
        // Even a malformed request learns nothing but the refusal.
        fetch(`${base}/web`, { method: 'PUT', headers: as(who, json), body: '{"reason":' }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(status);
        const body = (await res.json()) as { error: string; message: string };
        if (who === 'bob')
          expect(body).toEqual({
            error: 'forbidden',
            message: `insufficient_scope: the ${ADMIN_SCOPE} scope is required`,
          });
        else {
          expect(body.error).toBe('unauthorized');
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=/);
        }
      }
    }
    expect(await store.list()).toEqual(before);
  });
});

describe('kill switch admin endpoints on two replicas sharing Redis', () => {
  const keyPrefix = `test:${randomUUID()}:kill-switches`;
  const stores = [
    new RedisKillSwitchStore(REDIS_URL, { keyPrefix }),
    new RedisKillSwitchStore(REDIS_URL, { keyPrefix }),
  ];
  const apps: { app: INestApplication; base: string }[] = [];

  beforeAll(async () => {
    apps.push(await startApp('express', stores[0]), await startApp('fastify', stores[1]));
  });

  afterAll(async () => {
    await Promise.all(apps.map(({ app }) => app.close()));
    await Promise.all(stores.map((store) => store.close()));
    const raw = new Redis(REDIS_URL);
    await raw.del(keyPrefix);
    await raw.quit();
  });

  /** Resolves once `store` lists what `check` wants (at each watch call); bounded. */
  const until = (store: KillSwitchStore, check: (list: KillSwitch[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('the other replica did not see the change within 15 s'));
      }, 15_000);
      const look = () =>
        void store.list().then((list) => {
          if (!check(list)) return;
          clearTimeout(timer);
          off();
          resolve();
        });
      const off = store.watch(look);
      look();
    });

  it('a switch thrown through one replica is listed by the other, and so is its clearing', async () => {
    const [a, b] = apps;
    const thrown = fetch(`${a.base}/web/delete_page`, {
      method: 'PUT',
      headers: as('alice', json),
      body: '{"reason":"incident 7"}',
    });
    expect((await thrown).status).toBe(200);
    await until(stores[1], (list) => list.length === 1);
    let res = await fetch(b.base, { headers: as('alice') });
    expect(await res.json()).toEqual({
      killSwitches: [
        { server: 'web', target: 'delete_page', reason: 'incident 7', by: 'alice', at: NOW },
      ],
    });

    res = await fetch(`${b.base}/web/delete_page`, { method: 'DELETE', headers: as('alice') });
    expect(res.status).toBe(204);
    await until(stores[0], (list) => list.length === 0);
    res = await fetch(a.base, { headers: as('alice') });
    expect(await res.json()).toEqual({ killSwitches: [] });
  });
});
