import { Injectable, Module } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { ApiKeys, generateApiKey, Scopes, SecurityModule } from '@rampart/security';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from './local-issuer';

@Injectable()
class ServiceTools {
  @Tool({ description: 'Who is calling', annotations: { readOnlyHint: true } })
  whoami(@Ctx() ctx: McpContext) {
    return `${ctx.identity?.subject} (${ctx.identity?.proof})`;
  }

  @Scopes('reports:write')
  @Tool({ description: 'Writes a report' })
  write() {
    return 'written';
  }
}

/** A keys file as an operator ships it: hashes only. */
function keysFile(): { path: string; key: string } {
  const { key, id, hash } = generateApiKey();
  const dir = mkdtempSync(join(tmpdir(), 'rampart-keys-'));
  const path = join(dir, 'keys.json');
  writeFileSync(
    path,
    JSON.stringify([
      {
        id,
        hash,
        subject: 'svc-reports',
        scopes: ['reports:write'],
        createdAt: new Date().toISOString(),
      },
    ]),
  );
  return { path, key };
}

describe.each(mcpTestMatrix((s) => s.transport === 'http'))('API keys over %s', (_name, setup) => {
  let issuer: LocalIssuer;
  let t: McpTestApp;
  let shipped: { path: string; key: string };

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    shipped = keysFile();
    @Module({
      imports: [
        McpModule.forRoot({ name: 'keyed', version: '1.0.0' }),
        SecurityModule.forRoot({
          resource: 'https://mcp.test/mcp',
          jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
          apiKeys: { file: shipped.path },
        }),
      ],
      providers: [ServiceTools],
    })
    class KeyedModule {}
    t = await createMcpTestApp({
      imports: [KeyedModule],
      ...setup,
      headers: { 'x-api-key': shipped.key },
    });
  });
  afterAll(async () => {
    await t?.close();
    await issuer.close();
  });

  it('serves a client with a key from the keys file, with the key’s identity', async () => {
    const who = await t.client.callTool({ name: 'whoami', arguments: {} });
    expect(who.content).toEqual([{ type: 'text', text: 'svc-reports (api-key)' }]);
    expect((await t.client.callTool({ name: 'write', arguments: {} })).content).toEqual([
      { type: 'text', text: 'written' },
    ]);
  });

  it('refuses a revoked key at once: the attacker who kept it gets 401', async () => {
    const keys = t.module.get(ApiKeys);
    const issued = await keys.issue({ subject: 'svc-temp', scopes: ['reports:write'] });
    const client = await t.connect({ 'x-api-key': issued.key });
    await client.callTool({ name: 'whoami', arguments: {} });
    await keys.revoke(issued.record.id, 'ops');
    // Every request is authenticated again: the open connection is refused too.
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(
      /401|Unauthorized|authorization/,
    );
    await expect(t.connect({ 'x-api-key': issued.key })).rejects.toThrow(/401|Unauthorized/);
  });

  it('issues keys through the admin API only to a caller with the admin scope', async () => {
    const admin = `/rampart/admin/api-keys`;
    const url = new URL(admin, t.url!);
    const issue = (authorization: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ subject: 'svc-new', scopes: ['reports:write'] }),
      });
    const plain = await issue(`Bearer ${await issuer.token({ sub: 'bob' })}`);
    expect(plain.status).toBe(403);
    await plain.body?.cancel();
    const ok = await issue(`Bearer ${await issuer.token({ sub: 'root', scope: 'rampart:admin' })}`);
    expect(ok.status).toBe(201);
    const { key } = (await ok.json()) as { key: string };
    const client = await t.connect({ 'x-api-key': key });
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([
      { type: 'text', text: 'svc-new (api-key)' },
    ]);
  });

  it('refuses a key and a token sent together', async () => {
    const res = await fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-api-key': shipped.key,
        authorization: `Bearer ${await issuer.token({ sub: 'alice' })}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
