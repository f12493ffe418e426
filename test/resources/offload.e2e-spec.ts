import type { Client } from '@modelcontextprotocol/client';
import type { McpIdentity } from '@rampart/core';
import type { OffloadedStructuredContent } from '@rampart/resources';
import { RESOURCE_URI_TEMPLATE } from '@rampart/resources';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { memory, pageOf, ResourcesFixtureModule } from './resources.fixture';

const alice: McpIdentity = { subject: 'alice', tenant: 'acme' };
const bob: McpIdentity = { subject: 'bob', tenant: 'acme' };
const aliceElsewhere: McpIdentity = { subject: 'alice', tenant: 'globex' };
const auditor: McpIdentity = { subject: 'carol', tenant: 'acme', scopes: ['resources:share'] };
const foreignAuditor: McpIdentity = {
  subject: 'carol',
  tenant: 'globex',
  scopes: ['resources:share'],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a `resources/read` of an unreadable link answers: core's own resource-not-found. */
const notFound = (uri: string) => ({
  code: -32602,
  message: `Resource not found: ${uri}`,
  data: { uri },
});

describe.each(mcpTestMatrix())('offloaded results and signed links over %s', (_name, setup) => {
  let t: McpTestApp;
  const clients = new Map<string, Client>();

  /** A caller with `identity` (anonymous when undefined): a client with its headers, or memory. */
  async function as(identity: McpIdentity | undefined) {
    const key = JSON.stringify(identity ?? null);
    let client = clients.get(key);
    if (!client) {
      client =
        setup.transport === 'memory'
          ? t.client
          : await t.connect(
              identity
                ? {
                    'x-user': identity.subject,
                    ...(identity.tenant && { 'x-tenant': identity.tenant }),
                    ...(identity.scopes && { 'x-scopes': identity.scopes.join(' ') }),
                  }
                : {},
            );
      clients.set(key, client);
    }
    const c = client;
    const before = () => (memory.identity = identity);
    return {
      call: (name: string, args: Record<string, unknown>) => {
        before();
        return c.callTool({ name, arguments: args });
      },
      read: (uri: string) => {
        before();
        return c.readResource({ uri });
      },
      /** The JSON-RPC error a read fails with, as code, message and data. */
      readError: async (uri: string) => {
        before();
        try {
          await c.readResource({ uri });
        } catch (e) {
          const { code, message, data } = e as { code: number; message: string; data: unknown };
          return { code, message, data };
        }
        throw new Error(`${uri} was read`);
      },
    };
  }

  async function offload(identity: McpIdentity | undefined, tool = 'page', size = 40_000) {
    const result = await (await as(identity)).call(tool, { size });
    return result.structuredContent as OffloadedStructuredContent;
  }

  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [ResourcesFixtureModule.forRoot()], ...setup });
  });
  afterAll(() => t.close());
  beforeEach(() => (memory.identity = undefined));

  it('passes a small result through unchanged', async () => {
    const result = await (await as(alice)).call('page', { size: 8_192 });
    expect(result.content).toEqual([{ type: 'text', text: pageOf(8_192) }]);
    expect(result.structuredContent).toBeUndefined();
  });

  it("answers a large one with a preview, a resource_link and the seed's structuredContent", async () => {
    const result = await (await as(alice)).call('page', { size: 40_000 });
    const structured = result.structuredContent as OffloadedStructuredContent;
    const uri = structured.resource_uri;
    expect(uri).toMatch(
      /^rampart:\/\/resources\/[\w-]{22}\?sub=alice&ten=acme&exp=\d+&kid=e2e-1&sig=[\w-]{43}$/,
    );
    expect(structured).toEqual({
      resource_id: uri.slice('rampart://resources/'.length, uri.indexOf('?')),
      resource_uri: uri,
      preview: pageOf(500),
      size_bytes: 40_000,
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(Date.parse(structured.expires_at) - Date.now()).toBeGreaterThan(3_500_000);
    const [text, link] = result.content as [
      { type: string; text: string },
      Record<string, unknown>,
    ];
    expect(text.type).toBe('text');
    expect(text.text.startsWith(pageOf(500))).toBe(true);
    expect(text.text).toContain(uri);
    expect(link).toEqual({
      type: 'resource_link',
      uri,
      name: `offloaded-${structured.resource_id}`,
      description: expect.stringContaining('40000 bytes'),
      mimeType: 'text/plain',
      size: 40_000,
    });
    expect(result.isError).toBeFalsy();
  });

  it('lets the owner read the whole result, with the media type it was stored with', async () => {
    const plain = await offload(alice);
    expect((await (await as(alice)).read(plain.resource_uri)).contents).toEqual([
      { uri: plain.resource_uri, mimeType: 'text/plain', text: pageOf(40_000) },
    ]);
    const markdown = await offload(alice, 'page_markdown', 30_000);
    expect(markdown.preview).toBe(pageOf(200));
    expect((await (await as(alice)).read(markdown.resource_uri)).contents).toEqual([
      { uri: markdown.resource_uri, mimeType: 'text/markdown', text: pageOf(30_000) },
    ]);
  });

  it('answers another subject, another tenant, a tampered, expired, unknown or deleted link the same not-found', async () => {
    const owner = await as(alice);
    const { resource_uri: uri, resource_id: id } = await offload(alice);
    const errors: [string, string, Awaited<ReturnType<typeof owner.readError>>][] = [];
    const tried = async (what: string, reader: McpIdentity | undefined, link: string) =>
      errors.push([what, link, await (await as(reader)).readError(link)]);

    await tried('another subject of the tenant', bob, uri);
    await tried('the same subject in another tenant', aliceElsewhere, uri);
    await tried('an anonymous caller', undefined, uri);
    await tried('the subject changed to the reader', bob, uri.replace('sub=alice', 'sub=bob'));
    await tried('the tenant changed', aliceElsewhere, uri.replace('ten=acme', 'ten=globex'));
    await tried(
      'the expiry extended',
      alice,
      uri.replace(/exp=\d+/, `exp=${Date.now() + 86_400_000}`),
    );
    await tried('the id changed', alice, uri.replace(id, 'A'.repeat(22)));
    await tried('the signature cut', alice, uri.slice(0, -1));
    await tried('the key id changed', alice, uri.replace('kid=e2e-1', 'kid=e2e-2'));
    await tried('no query at all', alice, `rampart://resources/${id}`);
    const brief = await offload(alice, 'brief_page');
    await sleep(300);
    await tried('expired', alice, brief.resource_uri);
    const gone = await offload(alice);
    const forgotten = await owner.call('forget', { uri: gone.resource_uri });
    expect(JSON.parse((forgotten.content as { text: string }[])[0].text)).toEqual({
      deleted: true,
    });
    await tried('deleted', alice, gone.resource_uri);
    await tried('a resource that never existed', alice, 'fixture://nothing-here');

    for (const [what, link, error] of errors)
      expect({ what, ...error }).toEqual({ what, ...notFound(link) });
    // The owner still reads it: nothing above touched the link itself.
    expect((await owner.read(uri)).contents).toHaveLength(1);
  });

  it('answers a link replayed after it was deleted not-found, and deletes only for who may read it', async () => {
    const owner = await as(alice);
    const { resource_uri: uri } = await offload(alice);
    const forget = async (who: McpIdentity) =>
      JSON.parse(
        ((await (await as(who)).call('forget', { uri })).content as { text: string }[])[0].text,
      );
    expect(await forget(bob)).toEqual({ deleted: false });
    expect((await owner.read(uri)).contents).toHaveLength(1);
    expect(await forget(alice)).toEqual({ deleted: true });
    expect(await owner.readError(uri)).toEqual(notFound(uri));
    expect(await owner.readError(uri)).toEqual(notFound(uri)); // and again
    expect(await forget(alice)).toEqual({ deleted: false });
  });

  it('lets a holder of the sharing scope read the links of its own tenant, not of another', async () => {
    const { resource_uri: uri } = await offload(alice);
    expect((await (await as(auditor)).read(uri)).contents[0]).toMatchObject({
      text: pageOf(40_000),
    });
    expect(await (await as(foreignAuditor)).readError(uri)).toEqual(notFound(uri));
  });

  it('refuses to keep a large result for an anonymous caller (no owner to bind the link to)', async () => {
    const result = await (await as(undefined)).call('page', { size: 40_000 });
    expect(result.isError).toBe(true);
    expect(toolError(result)).toMatchObject({ code: 'RESOURCE_OWNER_REQUIRED', retryable: false });
    expect(
      ((await (await as(undefined)).call('page', { size: 10 })).content as { text: string }[])[0]
        .text,
    ).toBe(pageOf(10));
  });

  it('lists the one template and no stored result', async () => {
    await offload(alice);
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: RESOURCE_URI_TEMPLATE, name: 'offloaded_result' }),
    ]);
    expect((await t.client.listResources()).resources).toEqual([]);
  });
});

describe("anonymous links with anonymous: 'allow'", () => {
  let t: McpTestApp;
  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [ResourcesFixtureModule.forRoot({ anonymous: 'allow' })],
      transport: 'http',
    });
  });
  afterAll(() => t.close());

  it('are bound to no one: any caller holding one reads it until it expires', async () => {
    const result = await t.client.callTool({ name: 'page', arguments: { size: 20_000 } });
    const { resource_uri: uri } = result.structuredContent as OffloadedStructuredContent;
    expect(uri).toMatch(/^rampart:\/\/resources\/[\w-]{22}\?exp=\d+&kid=e2e-1&sig=/);
    expect((await t.client.readResource({ uri })).contents[0]).toMatchObject({
      text: pageOf(20_000),
    });
    const alice = await t.connect({ 'x-user': 'alice', 'x-tenant': 'acme' });
    expect((await alice.readResource({ uri })).contents[0]).toMatchObject({ text: pageOf(20_000) });
    // Tampering is still refused: the signature covers the absent owner.
    const claimed = uri.replace('?', '?sub=alice&');
    await expect(alice.readResource({ uri: claimed })).rejects.toMatchObject(notFound(claimed));
  });
});
