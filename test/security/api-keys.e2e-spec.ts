import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type INestApplication,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  ApiKeys,
  ApiKeyStore,
  InMemoryApiKeyStore,
  RedisApiKeyStore,
  createApiKeyAdminHandler,
  mountApiKeyAdmin,
  parseApiKey,
  type ApiKeyAdminAuthorize,
} from '@rampart/security';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_SCOPE = 'rampart:admin';
const T0 = Date.parse('2027-01-01T00:00:00.000Z');

type Adapter = 'express' | 'express without body parser' | 'fastify';

/** The admin API's own guard in these tests: an API key with the admin scope. */
function requireAdminKey(apiKeys: ApiKeys): ApiKeyAdminAuthorize {
  return async (request) => {
    const presented = request.headers['x-api-key'];
    if (presented === undefined) return undefined;
    const check = await apiKeys.verify(presented);
    if (!check.ok) throw new UnauthorizedException('Invalid API key');
    if (!check.identity.scopes?.includes(ADMIN_SCOPE))
      throw new ForbiddenException(`This needs the scope ${ADMIN_SCOPE}`);
    return check.identity;
  };
}

/** Mounts the admin API while the app initialises, as a module does. */
@Injectable()
class AdminMount implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(ApiKeys) private readonly apiKeys: ApiKeys,
  ) {}

  onModuleInit(): void {
    const handler = createApiKeyAdminHandler(this.apiKeys, requireAdminKey(this.apiKeys));
    mountApiKeyAdmin(this.host.httpAdapter, '/admin/', handler);
  }
}

interface Running {
  app: INestApplication;
  apiKeys: ApiKeys;
  url: string;
}

async function start(adapter: Adapter, store: ApiKeyStore, now: () => number): Promise<Running> {
  const module = await Test.createTestingModule({
    providers: [
      { provide: ApiKeyStore, useValue: store },
      {
        provide: ApiKeys,
        useFactory: (s: ApiKeyStore) => new ApiKeys(s, { now }),
        inject: [ApiKeyStore],
      },
      AdminMount,
    ],
  }).compile();
  let app: INestApplication;
  if (adapter === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = module.createNestApplication(new FastifyAdapter(), { logger: false });
  } else {
    app = module.createNestApplication({
      logger: false,
      bodyParser: adapter === 'express',
    });
  }
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, apiKeys: app.get(ApiKeys), url: `http://127.0.0.1:${port}/admin/api-keys` };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function send(
  url: string,
  method: string,
  options: { key?: string; json?: unknown; raw?: string; type?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers['x-api-key'] = options.key;
  let body: string | undefined;
  if (options.json !== undefined || options.raw !== undefined) {
    body = options.raw ?? JSON.stringify(options.json);
    headers['content-type'] = options.type ?? 'application/json';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

describe.each<Adapter>(['express', 'express without body parser', 'fastify'])(
  'API keys admin API on %s',
  (adapter) => {
    const clock = { now: T0 };
    let running: Running;
    let url: string;
    let rootKey: string;
    /** Every key handed out in this run: none may appear in a list or an error. */
    const handedOut: string[] = [];

    beforeAll(async () => {
      running = await start(adapter, new InMemoryApiKeyStore(), () => clock.now);
      url = running.url;
      rootKey = (await running.apiKeys.issue({ subject: 'root', scopes: [ADMIN_SCOPE] })).key;
      handedOut.push(rootKey);
    });
    afterAll(() => running.app.close());

    /** A key issued over the API by root. */
    async function issue(json: unknown): Promise<{ key: string; id: string }> {
      const answer = await send(url, 'POST', { key: rootKey, json });
      expect(answer.status).toBe(201);
      handedOut.push(answer.body.key);
      return { key: answer.body.key, id: answer.body.record.id };
    }

    function expectNoKeyIn(answer: Answer): void {
      for (const key of handedOut) {
        expect(answer.text).not.toContain(key);
        expect(answer.text).not.toContain(parseApiKey(key)!.secret);
      }
    }

    it('issues a key with the admin scope: 201, JSON, not cacheable, the key once', async () => {
      const answer = await send(url, 'POST', {
        key: rootKey,
        json: { subject: 'svc-billing', tenant: 'acme', scopes: ['scrape:read'], name: 'billing' },
      });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      handedOut.push(answer.body.key);
      expect(answer.body.record).toEqual({
        id: parseApiKey(answer.body.key)!.id,
        subject: 'svc-billing',
        tenant: 'acme',
        scopes: ['scrape:read'],
        name: 'billing',
        createdAt: '2027-01-01T00:00:00.000Z',
        createdBy: 'root',
      });
      const check = await running.apiKeys.verify(answer.body.key);
      expect(check).toMatchObject({
        ok: true,
        identity: { subject: 'svc-billing', tenant: 'acme', scopes: ['scrape:read'] },
      });
    });

    it('lists keys without hashes and without any key', async () => {
      await issue({ subject: 'svc-list' });
      const answer = await send(url, 'GET', { key: rootKey });
      expect(answer.status).toBe(200);
      expect(answer.body.keys.length).toBeGreaterThanOrEqual(2);
      for (const record of answer.body.keys) expect(record).not.toHaveProperty('hash');
      expect(answer.text).not.toContain('sha256:');
      expectNoKeyIn(answer);
    });

    describe('attacks', () => {
      it('a caller without credentials can neither issue, list nor revoke: 401', async () => {
        const target = await issue({ subject: 'svc-target' });
        const before = (await running.apiKeys.list()).length;
        for (const [method, at, json] of [
          ['POST', url, { subject: 'intruder', scopes: [ADMIN_SCOPE] }],
          ['GET', url, undefined],
          ['DELETE', `${url}/${target.id}`, undefined],
        ] as const) {
          const answer = await send(at, method, { json });
          expect(answer.status).toBe(401);
          expect(answer.body).toEqual({
            error: 'unauthorized',
            message: 'Authentication required',
          });
        }
        expect(await running.apiKeys.list()).toHaveLength(before);
        await expect(running.apiKeys.verify(target.key)).resolves.toMatchObject({ ok: true });
      });

      it('a caller with a valid key but without the admin scope can neither issue, list nor revoke: 403', async () => {
        const service = await issue({ subject: 'svc-plain', scopes: ['scrape:read'] });
        const before = (await running.apiKeys.list()).length;
        for (const [method, at, json] of [
          ['POST', url, { subject: 'svc-plain', scopes: [ADMIN_SCOPE] }],
          ['GET', url, undefined],
          ['DELETE', `${url}/${service.id}`, undefined],
        ] as const) {
          const answer = await send(at, method, { key: service.key, json });
          expect(answer.status).toBe(403);
          expect(answer.body).toEqual({
            error: 'forbidden',
            message: `This needs the scope ${ADMIN_SCOPE}`,
          });
          expectNoKeyIn(answer);
        }
        expect(await running.apiKeys.list()).toHaveLength(before);
        await expect(running.apiKeys.verify(service.key)).resolves.toMatchObject({ ok: true });
      });

      it('a revoked key is refused', async () => {
        const admin = await issue({ subject: 'ops', scopes: [ADMIN_SCOPE] });
        expect((await send(url, 'GET', { key: admin.key })).status).toBe(200);
        const answer = await send(`${url}/${admin.id}`, 'DELETE', { key: rootKey });
        expect(answer.status).toBe(200);
        expect(answer.body.record).toMatchObject({
          id: admin.id,
          revokedAt: '2027-01-01T00:00:00.000Z',
          revokedBy: 'root',
        });
        const refused = await send(url, 'GET', { key: admin.key });
        expect(refused.status).toBe(401);
        expectNoKeyIn(refused);
        await expect(running.apiKeys.verify(admin.key)).resolves.toEqual({
          ok: false,
          reason: 'revoked',
        });
      });

      it('an expired key is refused', async () => {
        const admin = await issue({
          subject: 'temp-admin',
          scopes: [ADMIN_SCOPE],
          expiresAt: new Date(clock.now + 60_000).toISOString(),
        });
        expect((await send(url, 'GET', { key: admin.key })).status).toBe(200);
        clock.now += 60_000;
        try {
          const refused = await send(url, 'GET', { key: admin.key });
          expect(refused.status).toBe(401);
          expectNoKeyIn(refused);
          await expect(running.apiKeys.verify(admin.key)).resolves.toEqual({
            ok: false,
            reason: 'expired',
          });
        } finally {
          clock.now = T0;
        }
      });

      it('a key with the right id and a wrong secret is refused', async () => {
        const forged = `rk_${parseApiKey(rootKey)!.id}_${'A'.repeat(42)}A`;
        const refused = await send(url, 'GET', { key: forged });
        expect(refused.status).toBe(401);
        await expect(running.apiKeys.verify(forged)).resolves.toEqual({
          ok: false,
          reason: 'mismatch',
        });
      });

      it('a key whose secret is right for another id is refused', async () => {
        const other = await issue({ subject: 'svc-other' });
        const spliced = `rk_${parseApiKey(rootKey)!.id}_${parseApiKey(other.key)!.secret}`;
        const refused = await send(url, 'POST', {
          key: spliced,
          json: { subject: 'intruder', scopes: [ADMIN_SCOPE] },
        });
        expect(refused.status).toBe(401);
        expectNoKeyIn(refused);
        await expect(running.apiKeys.verify(spliced)).resolves.toEqual({
          ok: false,
          reason: 'mismatch',
        });
      });
    });

    it('answers bad input with 400 naming the field, and never repeats a key', async () => {
      const key = handedOut[handedOut.length - 1];
      const cases: [unknown, string][] = [
        [{ scopes: ['a'] }, 'subject'],
        [{ subject: 's', scope: ['a'] }, 'scope'],
        [{ subject: 's', expiresAt: key }, 'expiresAt'],
        [{ subject: 's', scopes: key }, 'scopes'],
        [{ subject: 's', expiresAt: '2026-01-01T00:00:00Z' }, 'expiresAt'],
      ];
      for (const [json, field] of cases) {
        const answer = await send(url, 'POST', { key: rootKey, json });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ error: 'invalid_request', field });
        expectNoKeyIn(answer);
      }
    });

    it('answers a body that is not JSON with 400, and one of another type with 415', async () => {
      const broken = await send(url, 'POST', { key: rootKey, raw: '{"subject": ' });
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ error: 'invalid_request', field: 'body' });
      const form = await send(url, 'POST', {
        key: rootKey,
        raw: 'subject=svc',
        type: 'application/x-www-form-urlencoded',
      });
      expect(form.status).toBe(415);
      expect(form.body).toMatchObject({ error: 'unsupported_media_type' });
    });

    it('answers a body too large with 413', async () => {
      const answer = await send(url, 'POST', {
        key: rootKey,
        json: { subject: 's', name: 'x'.repeat(200_000) },
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ error: 'too_large' });
    });

    it('refuses a broken body from a caller without credentials with 401, not 400', async () => {
      const answer = await send(url, 'POST', { raw: '{"subject": ' });
      expect(answer.status).toBe(401);
    });

    it('answers 404 for an id no key has', async () => {
      const answer = await send(`${url}/AAAAAAAAAA`, 'DELETE', { key: rootKey });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: 'not_found', message: 'No API key has this id' });
    });
  },
);

describe('API keys in Redis, shared by an Express and a Fastify replica', () => {
  const prefix = `test:api-keys-e2e:${randomUUID()}:`;
  let client: Redis;
  let express: Running;
  let fastify: Running;

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    express = await start(
      'express',
      new RedisApiKeyStore(REDIS_URL, { keyPrefix: prefix }),
      Date.now,
    );
    fastify = await start('fastify', new RedisApiKeyStore(client, { keyPrefix: prefix }), Date.now);
  });
  afterAll(async () => {
    await express.app.close();
    await fastify.app.close();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('a key issued on one replica works on the other, and a revocation on either is seen by both', async () => {
    const root = await express.apiKeys.issue({ subject: 'root', scopes: [ADMIN_SCOPE] });
    const issued = await send(fastify.url, 'POST', {
      key: root.key,
      json: { subject: 'svc', scopes: ['scrape:read'] },
    });
    expect(issued.status).toBe(201);
    const listed = await send(express.url, 'GET', { key: root.key });
    expect(listed.body.keys.map((k: { subject: string }) => k.subject).sort()).toEqual([
      'root',
      'svc',
    ]);
    expect(listed.text).not.toContain(issued.body.key);
    await expect(express.apiKeys.verify(issued.body.key)).resolves.toMatchObject({ ok: true });

    const revoked = await send(`${express.url}/${issued.body.record.id}`, 'DELETE', {
      key: root.key,
    });
    expect(revoked.status).toBe(200);
    await expect(fastify.apiKeys.verify(issued.body.key)).resolves.toEqual({
      ok: false,
      reason: 'revoked',
    });
    const raw = await client.hgetall(`${prefix}records`);
    expect(JSON.stringify(raw)).not.toContain(parseApiKey(issued.body.key)!.secret);
  });
});
