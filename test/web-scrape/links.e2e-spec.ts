import type { Client } from '@modelcontextprotocol/client';
import { mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import type { LocalIssuer } from '../security/local-issuer';
import { startAuthenticatedApp, type AuthenticatedApp } from './authenticated-app';
import { LARGE_TEXT, type FixtureSite } from './fixture-site';

/** What a reader of a link it may not use gets: exactly a resource that does not exist. */
async function notFound(client: Client, uri: string) {
  await expect(client.readResource({ uri })).rejects.toMatchObject({
    code: -32602,
    message: expect.stringContaining(`Resource not found: ${uri}`),
    data: { uri },
  });
}

/**
 * The links of offloaded pages when the app authenticates its callers (AUTH_* with a local
 * JWKS issuer): each is bound to the caller that scraped the page; its owner reads it, another
 * identity with the same scope gets the one resource-not-found, as for a link never given.
 */
describe.each(mcpTestMatrix((s) => s.transport === 'http' && s.adapter === 'express'))(
  'web-scrape links with authentication over %s',
  (_name, setup) => {
    let issuer: LocalIssuer;
    let site: FixtureSite;
    let t: McpTestApp;
    let bob: Client;

    const bearer = async (sub: string, by = issuer) => ({
      authorization: `Bearer ${await by.token({ sub, scope: 'scrape:read' })}`,
    });

    let started: AuthenticatedApp | undefined;

    beforeAll(async () => {
      started = await startAuthenticatedApp(setup, { headers: (by) => bearer('alice', by) });
      ({ t, site, issuer } = started);
      bob = await t.connect(await bearer('bob'));
    });
    afterAll(() => started?.close());

    it('offloads a large page for its caller, who reads it back; another identity gets not-found', async () => {
      const result = await t.client.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/large` },
      });
      const { resource_uri: uri, resource_id: id } = result.structuredContent as {
        resource_uri: string;
        resource_id: string;
      };
      // Bound to alice: her subject is in the signed link.
      expect(uri).toMatch(new RegExp(`^rampart://resources/${id}\\?sub=alice&exp=\\d+&kid=`));
      expect((await t.client.readResource({ uri })).contents).toEqual([
        { uri, mimeType: 'text/plain', text: LARGE_TEXT },
      ]);

      await notFound(bob, uri);
      // The same answer as for a link that was never given.
      await notFound(bob, uri.replace(id, 'B'.repeat(22)));
      // And a link rewritten for bob is a forgery: refused for him as well.
      await notFound(bob, uri.replace('sub=alice', 'sub=bob'));
      // Alice still reads hers.
      expect((await t.client.readResource({ uri })).contents).toHaveLength(1);
    });

    it('binds the links of a batch to its caller too', async () => {
      const result = await bob.callTool({
        name: 'batch_scrape',
        arguments: { urls: [`${site.url}/large`] },
      });
      const [item] = (result.structuredContent as { results: { resource_uri: string }[] }).results;
      expect(item.resource_uri).toContain('sub=bob');
      expect((await bob.readResource({ uri: item.resource_uri })).contents).toHaveLength(1);
      await notFound(t.client, item.resource_uri);
    });
  },
);
