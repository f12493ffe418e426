import type { McpContext } from '@rampart/core';
import { InMemoryResourceStore } from '@rampart/resources';
import { PurgeTools } from './purge.tools';

const ctxOf = (identity?: { subject: string; tenant?: string }) => ({ identity }) as McpContext;
const page = (owner: { subject: string; tenant?: string } | null) => ({
  content: 'a page',
  mimeType: 'text/plain',
  owner,
  ttlMs: 60_000,
});

describe('PurgeTools', () => {
  let store: InMemoryResourceStore;
  let tools: PurgeTools;

  beforeEach(async () => {
    store = new InMemoryResourceStore();
    tools = new PurgeTools(store);
    for (const owner of [
      { subject: 'alice', tenant: 'acme' },
      { subject: 'bob', tenant: 'acme' },
      { subject: 'alice', tenant: 'globex' },
      { subject: 'alice' },
      null,
    ])
      await store.put(page(owner));
  });

  it('refuses an anonymous caller and deletes nothing, not even anonymous pages', async () => {
    await expect(tools.purge({}, ctxOf())).rejects.toMatchObject({
      code: 'AUTHENTICATION_REQUIRED',
      retryable: false,
    });
    expect((await store.usage()).entries).toBe(5);
  });

  it("deletes the caller's tenant's pages, or with mine only the caller's", async () => {
    const mine = await tools.purge({ mine: true }, ctxOf({ subject: 'alice', tenant: 'acme' }));
    expect(mine.structuredContent).toEqual({ deleted: 1, owner: 'caller', tenant: 'acme' });
    const tenant = await tools.purge({}, ctxOf({ subject: 'alice', tenant: 'acme' }));
    expect(tenant.structuredContent).toEqual({ deleted: 1, owner: 'tenant', tenant: 'acme' });
    // Callers without a tenant purge the pages of callers without a tenant, and only them.
    const none = await tools.purge({}, ctxOf({ subject: 'zed' }));
    expect(none.structuredContent).toEqual({ deleted: 1, owner: 'tenant', tenant: null });
    expect((await store.usage()).entries).toBe(2); // globex's, and the anonymous one
  });
});
