import { Injectable } from '@nestjs/common';
import { McpHook, type McpAuthRequest, type McpIdentity, type McpRequestHook } from '@rampart/core';
import type { OffloadedStructuredContent } from '@rampart/resources';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { LogArchive, LogsModule, parseKeys } from '../../docs/examples/resources.example';

/** Callers named by an `x-user` header, in tenant `acme`. */
@McpHook()
@Injectable()
class TestAuth implements McpRequestHook {
  authenticate({ http }: McpAuthRequest): McpIdentity | undefined {
    const user = http?.request.headers['x-user'];
    return typeof user === 'string' ? { subject: user, tenant: 'acme' } : undefined;
  }
}

describe('resources guide example', () => {
  let t: McpTestApp;
  const env = {
    RESOURCE_LINK_KEYS:
      'k2:a-new-secret-of-at-least-32-bytes!!!,k1:an-old-secret-of-at-least-32-bytes!!',
  };

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [LogsModule.forRoot(env)],
      providers: [TestAuth],
      transport: 'http',
      headers: { 'x-user': 'alice' },
    });
  });
  afterAll(() => t.close());

  it('reads its keys from configuration, the first one signing', () => {
    expect(parseKeys(env.RESOURCE_LINK_KEYS)?.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(parseKeys(undefined)).toBeUndefined();
  });

  it('offloads the export, the owner reads it, another user gets not-found, delete ends it', async () => {
    const full = new LogArchive().dump('api');
    const result = await t.client.callTool({ name: 'export_logs', arguments: { service: 'api' } });
    const {
      resource_uri: uri,
      preview,
      size_bytes,
    } = result.structuredContent as OffloadedStructuredContent;
    expect(uri).toContain('kid=k2');
    expect(preview).toBe(full.slice(0, 300));
    expect(size_bytes).toBe(Buffer.byteLength(full));
    expect((await t.client.readResource({ uri })).contents[0]).toMatchObject({ text: full });

    const bob = await t.connect({ 'x-user': 'bob' });
    await expect(bob.readResource({ uri })).rejects.toMatchObject({
      code: -32602,
      message: `Resource not found: ${uri}`,
    });

    const csv = await t.client.callTool({
      name: 'export_logs_csv',
      arguments: { service: 'worker' },
    });
    const link = (csv.content as { type: string; mimeType?: string }[])[1];
    expect(link).toMatchObject({ type: 'resource_link', mimeType: 'text/csv' });

    await t.client.callTool({ name: 'forget_export', arguments: { uri } });
    await expect(t.client.readResource({ uri })).rejects.toMatchObject({ code: -32602 });
  });
});
