import type { Client } from '@modelcontextprotocol/client';
import { argumentsHash, TasksService } from '@rampart/tasks';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import type { PurgeResult } from '../../apps/web-scrape/src/purge.tools';
import type { LocalIssuer } from '../security/local-issuer';
import { startReceiver } from '../tasks/approvals.fixture';
import { until } from '../tasks/tasks.fixture';
import { startAuthenticatedApp, type AuthenticatedApp } from './authenticated-app';
import { FIXTURE_EGRESS, FixtureSite, LARGE_TEXT } from './fixture-site';
const KEYS = [{ kid: 'a1', secret: 'purge-approval-key-0123456789abcdef0123' }];

/** Who is who: tenant and scopes of each token. */
const PEOPLE = {
  // Calls purge_pages; holds the approvers' scope too, to try approving her own call.
  alice: { tenant: 'acme', scope: 'scrape:read pages:purge pages:approve' },
  // The approver of acme; stores pages of his own.
  bob: { tenant: 'acme', scope: 'scrape:read pages:approve' },
  // Of acme, without the approvers' scope (nor pages:purge).
  carol: { tenant: 'acme', scope: 'scrape:read' },
  // An approver of another tenant.
  dave: { tenant: 'globex', scope: 'pages:approve' },
  // Stores pages in the other tenant.
  gus: { tenant: 'globex', scope: 'scrape:read' },
} as const;
type Person = keyof typeof PEOPLE;

type Handle = { taskId: string; approvalId: string; status: string };

/** What a reader of a purged (or never given) link gets. */
async function notFound(client: Client, uri: string) {
  await expect(client.readResource({ uri })).rejects.toMatchObject({
    code: -32602,
    message: expect.stringContaining(`Resource not found: ${uri}`),
  });
}

/**
 * `purge_pages` end to end, with the SDK client over HTTP and bearer tokens of a local JWKS
 * issuer: the call is held for an approval, every attempt the approval exists to stop is
 * refused, and a proper approver's approval deletes the pages of the caller's tenant only.
 */
describe.each(mcpTestMatrix((s) => s.transport === 'http' && s.era === 'modern'))(
  'web-scrape purge_pages over %s',
  (_name, setup) => {
    let issuer: LocalIssuer;
    let site: FixtureSite;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let t: McpTestApp;
    const clients = {} as Record<Person, Client>;

    const bearer = async (who: Person, by = issuer) =>
      `Bearer ${await by.token({ sub: who, tenant: PEOPLE[who].tenant, scope: PEOPLE[who].scope })}`;

    /** A request to the approval endpoints as `who` (no credentials for `undefined`). */
    const approvals = async (
      who: Person | undefined,
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: Record<string, any> }> => {
      const res = await fetch(new URL(`/rampart/approvals${path}`, t.url), {
        method,
        headers: {
          ...(who && { authorization: await bearer(who) }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    /** A page stored for `who`: the link of an offloaded `/large`. */
    const store = async (who: Person): Promise<string> => {
      const result = await clients[who].callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/large` },
      });
      return (result.structuredContent as { resource_uri: string }).resource_uri;
    };
    const reads = async (who: Person, uri: string) =>
      expect((await clients[who].readResource({ uri })).contents).toEqual([
        { uri, mimeType: 'text/plain', text: LARGE_TEXT },
      ]);

    const purge = async (args: Record<string, unknown>): Promise<Handle> => {
      const result = await clients.alice.callTool({ name: 'purge_pages', arguments: args });
      expect(result.isError).toBeFalsy();
      return result.structuredContent as unknown as Handle;
    };
    const status = async (taskId: string) =>
      (await clients.alice.callTool({ name: 'get_task_status', arguments: { taskId } }))
        .structuredContent as Record<string, unknown>;
    const outcome = async (taskId: string): Promise<PurgeResult> => {
      await until(
        () => status(taskId),
        (s) => s.status === 'completed',
      );
      const result = await clients.alice.callTool({
        name: 'get_task_result',
        arguments: { taskId },
      });
      expect(result.isError).toBeFalsy();
      return result.structuredContent as PurgeResult;
    };

    let started: AuthenticatedApp | undefined;

    beforeAll(async () => {
      receiver = await startReceiver();
      started = await startAuthenticatedApp(setup, {
        app: {
          approvals: { keys: KEYS, approverScope: 'pages:approve', webhookUrl: receiver.url },
          // A cached scrape_url answer would hand back a link purged since.
          scrapeCacheTtlMs: 0,
        },
        headers: async (by) => ({ authorization: await bearer('alice', by) }),
      });
      ({ t, site, issuer } = started);
      clients.alice = t.client;
      for (const who of ['bob', 'carol', 'dave', 'gus'] as const)
        clients[who] = await t.connect({ authorization: await bearer(who) });
    });
    afterAll(async () => {
      await started?.close();
      await receiver?.close();
    });

    it('lists purge_pages, destructive, for a caller with pages:purge only', async () => {
      const tool = (await clients.alice.listTools()).tools.find((x) => x.name === 'purge_pages');
      expect(tool?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
      const names = (await clients.carol.listTools()).tools.map((x) => x.name);
      expect(names).toContain('scrape_url');
      expect(names).not.toContain('purge_pages');
    });

    it('refuses a caller without pages:purge, and an anonymous one, before anything is held', async () => {
      await expect(clients.carol.callTool({ name: 'purge_pages', arguments: {} })).rejects.toThrow(
        /403|pages:purge/,
      );
      await expect(clients.dave.callTool({ name: 'purge_pages', arguments: {} })).rejects.toThrow(
        /403|pages:purge/,
      );
      await expect(t.connect({})).rejects.toThrow(/401|authorization|Unauthorized/);
      const listed = await approvals('bob', 'GET', '');
      expect(listed).toMatchObject({ status: 200, body: { approvals: [] } });
    });

    it('holds the call and refuses the attacks: self-approval, no scope, another tenant, no credentials', async () => {
      const page = await store('alice');
      const handle = await purge({});
      expect(handle).toMatchObject({ status: 'working', approvalId: expect.any(String) });
      expect(await status(handle.taskId)).toMatchObject({
        status: 'working',
        awaitingApproval: true,
      });

      // Alice holds pages:approve too: she may not approve her own call.
      const self = await approvals('alice', 'POST', `/${handle.approvalId}/approve`);
      expect(self).toMatchObject({ status: 403, body: { reason: 'self-approval' } });
      // Carol is of acme, without the approvers' scope.
      const carol = await approvals('carol', 'POST', `/${handle.approvalId}/approve`);
      expect(carol).toMatchObject({ status: 403, body: { reason: 'insufficient-scope' } });
      // Dave holds the scope, in another tenant: the approval does not exist for him.
      const dave = await approvals('dave', 'POST', `/${handle.approvalId}/approve`);
      expect(dave).toMatchObject({ status: 404, body: { reason: 'not-found' } });
      expect((await approvals('dave', 'GET', '')).body.approvals).toEqual([]);
      // Nobody.
      const nobody = await approvals(undefined, 'POST', `/${handle.approvalId}/approve`);
      expect(nobody.status).toBe(401);

      // Still waiting, and the page still reads.
      expect(await status(handle.taskId)).toMatchObject({ awaitingApproval: true });
      await reads('alice', page);
      // Denied, to leave nothing pending for the tests below.
      const denied = await approvals('bob', 'POST', `/${handle.approvalId}/deny`, {
        comment: 'not now',
      });
      expect(denied).toMatchObject({ status: 200, body: { approval: { status: 'denied' } } });
      const ended = await clients.alice.callTool({
        name: 'get_task_result',
        arguments: { taskId: handle.taskId },
      });
      expect(toolError(ended)).toMatchObject({ code: 'APPROVAL_DENIED' });
      await reads('alice', page);
    });

    it('does not let an approval stand for other arguments than those the call was held with', async () => {
      const mine = await store('bob');
      // Alice asks to purge her own pages only.
      const handle = await purge({ mine: true });
      // What the approver was shown is not what the call holds: refused.
      const shown = await approvals('bob', 'POST', `/${handle.approvalId}/approve`, {
        argumentsHash: argumentsHash({}),
      });
      expect(shown).toMatchObject({ status: 409, body: { reason: 'arguments-changed' } });
      // Someone with write access to the task store widens the held call to the whole tenant.
      const tasks = t.app.get(TasksService, { strict: false });
      await tasks.store.update(handle.taskId, (task) => ({ ...task, arguments: {} }));
      const widened = await approvals('bob', 'POST', `/${handle.approvalId}/approve`);
      expect(widened).toMatchObject({ status: 409, body: { reason: 'arguments-changed' } });
      expect(await status(handle.taskId)).toMatchObject({ awaitingApproval: true });
      await reads('bob', mine);
      await clients.alice.callTool({ name: 'cancel_task', arguments: { taskId: handle.taskId } });
    });

    it("deletes only the caller's tenant's pages once a proper approver approves, and tells the webhook", async () => {
      const alices = await store('alice');
      const bobs = await store('bob');
      const guss = await store('gus');

      const handle = await purge({});
      // The webhook is told, with the hash of the arguments and never their values.
      const notice = await until(
        async () => receiver.bodies.find((b) => b.approvalId === handle.approvalId),
        (b) => b !== undefined,
      );
      expect(notice).toMatchObject({
        type: 'approval.requested',
        tool: 'purge_pages',
        server: 'web-scrape',
        taskId: handle.taskId,
        caller: { subject: 'alice', tenant: 'acme' },
        approvers: 'pages:approve',
        argumentsHash: argumentsHash({}),
        path: `/rampart/approvals/${handle.approvalId}`,
      });

      // Bob sees what he approves, and approves exactly that.
      const shown = await approvals('bob', 'GET', `/${handle.approvalId}`);
      expect(shown).toMatchObject({
        status: 200,
        body: { approval: { tool: 'purge_pages', arguments: {}, status: 'pending' } },
      });
      const approved = await approvals('bob', 'POST', `/${handle.approvalId}/approve`, {
        argumentsHash: shown.body.approval.argumentsHash,
        comment: 'ticket 7',
      });
      expect(approved).toMatchObject({
        status: 200,
        body: { approval: { status: 'approved', decidedBy: { subject: 'bob', tenant: 'acme' } } },
      });
      // Every page of acme (alice's, and bob's of this test and the one before), none of globex.
      expect(await outcome(handle.taskId)).toEqual({ deleted: 4, owner: 'tenant', tenant: 'acme' });
      await notFound(clients.alice, alices);
      await notFound(clients.bob, bobs);
      await reads('gus', guss);

      // Used once: approving it again is refused, and nothing runs twice.
      const again = await approvals('bob', 'POST', `/${handle.approvalId}/approve`);
      expect(again).toMatchObject({ status: 409, body: { reason: 'replayed' } });
    });

    it("with mine: true, deletes the caller's own pages and leaves the rest of the tenant's", async () => {
      const alices = await store('alice');
      const bobs = await store('bob');
      const handle = await purge({ mine: true });
      const approved = await approvals('bob', 'POST', `/${handle.approvalId}/approve`, {
        argumentsHash: argumentsHash({ mine: true }),
      });
      expect(approved.status).toBe(200);
      expect(await outcome(handle.taskId)).toEqual({ deleted: 1, owner: 'caller', tenant: 'acme' });
      await notFound(clients.alice, alices);
      await reads('bob', bobs);
    });
  },
);

/**
 * Without authentication every caller is anonymous: its pages are bearer links owned by nobody,
 * and nobody could approve. The app leaves purge_pages out, so an anonymous caller can never
 * delete what a stranger stored.
 */
describe('web-scrape purge_pages without authentication', () => {
  let site: FixtureSite;
  let t: McpTestApp;

  beforeAll(async () => {
    site = await new FixtureSite().start();
    t = await createMcpTestApp({
      server: 'web-scrape',
      transport: 'http',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          egress: FIXTURE_EGRESS,
          security: false,
          audit: { sink: 'log' },
          logLevel: 'error',
        }),
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
    await site?.stop();
  });

  it('does not serve purge_pages: a stranger’s page outlives an anonymous attempt', async () => {
    const stored = await t.client.callTool({
      name: 'scrape_url',
      arguments: { url: `${site.url}/large` },
    });
    const uri = (stored.structuredContent as { resource_uri: string }).resource_uri;
    const stranger = await t.connect();
    expect((await stranger.listTools()).tools.map((x) => x.name)).not.toContain('purge_pages');
    await expect(stranger.callTool({ name: 'purge_pages', arguments: {} })).rejects.toThrow(
      /Unknown tool: purge_pages/,
    );
    expect((await t.client.readResource({ uri })).contents).toHaveLength(1);
  });
});
