import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { argumentsHash } from '@rampart/tasks';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { PageStore, pagesModule } from '../../docs/examples/approvals.example';
import { LocalIssuer } from '../security/local-issuer';
import { until } from '../tasks/tasks.fixture';

type Answer = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
};

const AUDIENCE = 'https://pages.example.com/mcp';
const WEBHOOK_SECRET = 'webhook-secret';

/** A webhook receiver on 127.0.0.1 that keeps each body as sent, with its headers. */
async function startReceiver() {
  const received: { body: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/approvals`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('docs example: approvals', () => {
  let issuer: LocalIssuer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let t: McpTestApp;
  /** Alice of tenant acme: she writes pages and, as it happens, approves them too. */
  let alice: Client;

  const token = (sub: string, tenant: string, scope: string) =>
    issuer.token({ sub, tenant, scope }, { audience: AUDIENCE });
  const call = (client: Client, name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }) as Promise<Answer>;
  const status = async (taskId: string) =>
    (await call(alice, 'get_task_status', { taskId })).structuredContent!;

  /** A request to the approval endpoints, with `bearer` as the credentials (or none). */
  const endpoint = async (
    method: 'GET' | 'POST',
    path: string,
    bearer: string | undefined,
    body?: unknown,
  ) => {
    const res = await fetch(new URL(`/rampart/approvals${path}`, t.url), {
      method,
      headers: {
        ...(bearer && { authorization: `Bearer ${bearer}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    receiver = await startReceiver();
    const env = {
      APPROVAL_KEYS:
        'k2=approval-key-two-0123456789abcdef0123,k1=approval-key-one-0123456789abcdef0123',
      APPROVALS_WEBHOOK_URL: receiver.url,
      APPROVALS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    t = await createMcpTestApp({
      imports: [pagesModule(issuer, env)],
      transport: 'http',
      headers: {
        authorization: `Bearer ${await token('alice', 'acme', 'pages:write pages:approve')}`,
      },
    });
    alice = t.client;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await issuer?.close();
  });

  it('holds the call, refuses the caller approving it herself, and runs it once approved by an approver', async () => {
    const store = t.app.get(PageStore);
    const started = await call(alice, 'purge_site', { site: 'blog' });
    expect(started.isError).toBeFalsy();
    const handle = started.structuredContent as { taskId: string; approvalId: string };
    expect(handle).toMatchObject({ status: 'working', approvalId: expect.any(String) });
    expect(await status(handle.taskId)).toMatchObject({
      status: 'working',
      awaitingApproval: true,
    });

    // The approvers are told: the hash of the arguments, never their values; signed.
    const notice = await until(
      async () => receiver.received.find((r) => r.body.includes(handle.approvalId)),
      (r) => r !== undefined,
    );
    expect(notice!.headers['x-rampart-signature']).toBe(
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(notice!.body).digest('hex')}`,
    );
    expect(JSON.parse(notice!.body)).toMatchObject({
      type: 'approval.requested',
      tool: 'purge_site',
      caller: { subject: 'alice', tenant: 'acme' },
      approvers: 'pages:approve',
      argumentsHash: argumentsHash({ site: 'blog' }),
      path: `/rampart/approvals/${handle.approvalId}`,
    });
    expect(notice!.body).not.toContain('blog');

    // Alice holds pages:approve, but the call is hers: refused, and it does not run.
    const self = await endpoint(
      'POST',
      `/${handle.approvalId}/approve`,
      await token('alice', 'acme', 'pages:write pages:approve'),
    );
    expect(self).toMatchObject({ status: 403, body: { reason: 'self-approval' } });
    // Carol writes pages but approves nothing; Dave approves, in another tenant.
    const carol = await endpoint(
      'POST',
      `/${handle.approvalId}/approve`,
      await token('carol', 'acme', 'pages:write'),
    );
    expect(carol).toMatchObject({ status: 403, body: { reason: 'insufficient-scope' } });
    const dave = await endpoint(
      'POST',
      `/${handle.approvalId}/approve`,
      await token('dave', 'globex', 'pages:approve'),
    );
    expect(dave).toMatchObject({ status: 404, body: { reason: 'not-found' } });
    // Without credentials: the security module's challenge.
    const nobody = await endpoint('POST', `/${handle.approvalId}/approve`, undefined);
    expect(nobody.status).toBe(401);
    expect(nobody.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(store.purged).toEqual([]);
    expect(await status(handle.taskId)).toMatchObject({ awaitingApproval: true });

    // Bob approves what he was shown: the arguments and their hash.
    const bob = await token('bob', 'acme', 'pages:approve');
    const listed = await endpoint('GET', '', bob);
    const shown = listed.body.approvals.find(
      (a: { approvalId: string }) => a.approvalId === handle.approvalId,
    );
    expect(shown).toMatchObject({
      tool: 'purge_site',
      status: 'pending',
      arguments: { site: 'blog' },
      reason: 'Deletes every stored page of the site',
    });
    const approved = await endpoint('POST', `/${handle.approvalId}/approve`, bob, {
      argumentsHash: shown.argumentsHash,
      comment: 'change 1234',
    });
    expect(approved).toMatchObject({
      status: 200,
      body: { approval: { status: 'approved', decidedBy: { subject: 'bob', tenant: 'acme' } } },
    });
    await until(
      () => status(handle.taskId),
      (s) => s.status === 'completed',
    );
    const result = await call(alice, 'get_task_result', { taskId: handle.taskId });
    expect(result.content).toEqual([{ type: 'text', text: 'purged blog for alice' }]);

    // A second approval of the same request is refused; the site was purged once.
    const again = await endpoint('POST', `/${handle.approvalId}/approve`, bob);
    expect(again).toMatchObject({ status: 409, body: { reason: 'replayed' } });
    expect(store.purged).toEqual(['blog']);
  });

  it('holds destructive tools by the module default; a denial ends the call unrun', async () => {
    const store = t.app.get(PageStore);
    const started = await call(alice, 'delete_page', { site: 'blog', path: '/about' });
    const handle = started.structuredContent as { taskId: string; approvalId: string };
    expect(handle.approvalId).toEqual(expect.any(String));
    const denied = await endpoint(
      'POST',
      `/${handle.approvalId}/deny`,
      await token('bob', 'acme', 'pages:approve'),
      { comment: 'the about page stays' },
    );
    expect(denied).toMatchObject({ status: 200, body: { approval: { status: 'denied' } } });
    const result = await call(alice, 'get_task_result', { taskId: handle.taskId });
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.content[0].text)).toMatchObject({
      code: 'APPROVAL_DENIED',
      message: 'The call was denied by bob: the about page stays',
    });
    expect(store.deleted).toEqual([]);
    // A read-only tool needs no approval.
    expect((await call(alice, 'count_pages', {})).content).toEqual([
      { type: 'text', text: '1 sites purged, 0 pages deleted' },
    ]);
  });

  it('counts every request, decision and refusal', async () => {
    const metrics = await (await fetch(new URL('/metrics', t.url))).text();
    const count = (outcome: string, reason: string) =>
      Number(
        new RegExp(
          `rampart_approvals_total\\{server="pages",outcome="${outcome}",reason="${reason}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count('requested', 'none')).toBe(2);
    expect(count('approved', 'none')).toBe(1);
    expect(count('denied', 'none')).toBe(1);
    expect(count('refused', 'self-approval')).toBe(1);
    expect(count('refused', 'insufficient-scope')).toBe(1);
    expect(count('refused', 'replayed')).toBe(1);
  });
});
