import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ForbiddenException, Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
import {
  createKillSwitchAdminHandler,
  type KillSwitchAdminAuthorize,
  type KillSwitchAdminBody,
  type KillSwitchAdminRoute,
} from './kill-switch-admin.handler';
import type { KillSwitch, KillSwitchStore } from './kill-switch.store';
import { KillSwitchStoreUnavailableError } from './kill-switch-store-unavailable.error';
import { InMemoryKillSwitchStore } from './in-memory-kill-switch.store';

const NOW = '2026-05-06T07:08:09.000Z';

/** A store whose changes fail as told, over a store in memory. */
class FakeKillSwitchStore implements KillSwitchStore {
  readonly inner = new InMemoryKillSwitchStore();
  failure?: Error;

  list(): Promise<KillSwitch[]> {
    return this.inner.list();
  }
  async set(kill: KillSwitch): Promise<void> {
    if (this.failure) throw this.failure;
    await this.inner.set(kill);
  }
  async clear(server: string, target?: string): Promise<boolean> {
    if (this.failure) throw this.failure;
    return this.inner.clear(server, target);
  }
  watch(listener: () => void): () => void {
    return this.inner.watch(listener);
  }
}

describe('createKillSwitchAdminHandler', () => {
  let server: Server;
  let base: string;
  let store: FakeKillSwitchStore;
  let authorize: jest.Mock<Promise<McpIdentity>, [IncomingMessage]>;
  /** What the framework left of the body, for the next request. */
  let body: KillSwitchAdminBody | undefined;

  beforeEach(async () => {
    store = new FakeKillSwitchStore();
    body = undefined;
    authorize = jest.fn(async (_req: IncomingMessage): Promise<McpIdentity> => ({
      subject: 'alice',
      scopes: ['rampart:admin'],
    }));
    const handler = createKillSwitchAdminHandler(store, authorize as KillSwitchAdminAuthorize, {
      now: () => new Date(NOW),
      bodyLimitBytes: 64,
    });
    // The route is the path after `/kill-switches`, as the mounts cut it.
    server = createServer((req, res) => {
      const [server, target] = (req.url ?? '').replace(/^\/kill-switches\/?/, '').split('/');
      const route: KillSwitchAdminRoute = server ? { server, target } : {};
      void handler.handle(req, res, route, body ?? { parsed: false });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/kill-switches`;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
  });

  const problem = async (res: Response) => ({
    status: res.status,
    body: (await res.json()) as { error: string; message: string },
  });

  it('reads a body from the stream and records who threw the switch, and when', async () => {
    const res = await fetch(`${base}/web/x`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"reason":"incident 9"}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      killSwitch: { server: 'web', target: 'x', reason: 'incident 9', by: 'alice', at: NOW },
    });
    expect(await store.list()).toHaveLength(1);
    expect(authorize).toHaveBeenCalledTimes(1);
  });

  it('takes a body a parser has read already, and answers a parser refusal after authorizing', async () => {
    body = { parsed: true, value: { reason: 'parsed' } };
    let res = await fetch(`${base}/web`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
    });
    expect((await res.json()) as unknown).toMatchObject({ killSwitch: { reason: 'parsed' } });

    body = { refused: { status: 413, message: 'too big' } };
    res = await fetch(`${base}/web`, { method: 'PUT' });
    expect(await problem(res)).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'too big' },
    });
    expect(authorize).toHaveBeenCalledTimes(2);
  });

  it('refuses a body over the limit, and a form body that a parser read', async () => {
    let res = await fetch(`${base}/web`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(100) }),
    });
    expect((await problem(res)).status).toBe(413);

    body = { parsed: true, value: { reason: 'from a form' } };
    res = await fetch(`${base}/web`, {
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await problem(res)).toEqual({
      status: 415,
      body: {
        error: 'unsupported_media_type',
        message: 'The body must be JSON (application/json)',
      },
    });
    expect(await store.list()).toEqual([]);
  });

  it('answers methods that a path does not serve with 405 and Allow', async () => {
    let res = await fetch(base, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    res = await fetch(`${base}/web`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('PUT, DELETE');
  });

  it("passes on authorize's refusal: its status, headers, Retry-After and message", async () => {
    authorize.mockRejectedValueOnce(new ForbiddenException('needs rampart:admin'));
    expect(await problem(await fetch(`${base}/web`, { method: 'PUT' }))).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'needs rampart:admin' },
    });

    authorize.mockRejectedValueOnce(
      Object.assign(new Error('issuer unavailable'), {
        httpStatus: 503,
        retryAfterMs: 2_500,
        headers: { 'X-Reason': 'jwks' },
      }),
    );
    const res = await fetch(`${base}/web`, { method: 'DELETE' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('x-reason')).toBe('jwks');

    // An identity without a subject is no identity.
    authorize.mockResolvedValueOnce({ subject: '' });
    expect((await problem(await fetch(base))).status).toBe(401);
    expect(await store.list()).toEqual([]);
  });

  it('answers 503 with Retry-After while the store cannot change, and 500 without details for the unexpected', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store.failure = new KillSwitchStoreUnavailableError('connect ECONNREFUSED 10.0.0.7:6379');
    let res = await fetch(`${base}/web`, { method: 'PUT' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    const unavailable = await res.text();
    expect(unavailable).not.toContain('10.0.0.7');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('10.0.0.7'));

    store.failure = new Error('secret internals at /srv/app');
    res = await fetch(`${base}/web`, { method: 'DELETE' });
    expect(await problem(res)).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'The kill switch request failed' },
    });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('secret internals'));

    // An authorize that fails without a status is unexpected too.
    authorize.mockRejectedValueOnce(new TypeError('bug'));
    expect((await problem(await fetch(base))).status).toBe(500);
  });
});
