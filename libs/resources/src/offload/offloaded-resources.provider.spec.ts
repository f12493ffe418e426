import { Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
import { fakeMcpCall } from '@rampart/testing';
import { isResourceLinkNotFoundError } from '../errors/resource-link-not-found.error';
import { ResourceStoreUnavailableError } from '../errors/resource-store-unavailable.error';
import { ResourceLinkSigner } from '../links/resource-link.signer';
import { resolveResourcesOptions } from '../resources-options';
import { InMemoryResourceStore } from '../storage/in-memory-resource.store';
import type { ResourceStore } from '../storage/resource.store';
import { OffloadedResources } from './offloaded-resources.provider';
import { Offloader } from './offloader.service';

const alice: McpIdentity = { subject: 'alice' };
const signer = new ResourceLinkSigner([{ id: 'k1', secret: 'x'.repeat(32) }]);
const readerOf = (store: ResourceStore) =>
  new OffloadedResources(new Offloader(store, signer, resolveResourcesOptions({})));
const ctxFor = (uri: string, identity?: McpIdentity) =>
  fakeMcpCall({ method: 'resources/read', target: uri, origin: { identity } }).context();

describe('OffloadedResources', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  const store = new InMemoryResourceStore();
  const offloader = new Offloader(store, signer, resolveResourcesOptions({}));

  it('answers text as text and bytes as a base64 blob, with their media type', async () => {
    const text = await offloader.offload('hello', { owner: alice, mimeType: 'text/markdown' });
    const uri = text.structuredContent.resource_uri;
    expect(await readerOf(store).read(ctxFor(uri, alice))).toEqual({
      contents: [{ uri, mimeType: 'text/markdown', text: 'hello' }],
    });
    const bytes = await offloader.offload(Buffer.from([1, 2, 3]), {
      owner: alice,
      mimeType: 'application/octet-stream',
    });
    const blobUri = bytes.structuredContent.resource_uri;
    expect(await readerOf(store).read(ctxFor(blobUri, alice))).toEqual({
      contents: [{ uri: blobUri, mimeType: 'application/octet-stream', blob: 'AQID' }],
    });
  });

  it('answers not-found to a caller that may not read the link', async () => {
    const { structuredContent } = await offloader.offload('hello', { owner: alice });
    const error = await readerOf(store)
      .read(ctxFor(structuredContent.resource_uri, { subject: 'bob' }))
      .catch((e: unknown) => e);
    expect(isResourceLinkNotFoundError(error)).toBe(true);
  });

  it('tells the owner of a valid link that the store is down, as an internal error', async () => {
    const { structuredContent } = await offloader.offload('hello', { owner: alice });
    const down: ResourceStore = {
      put: () => Promise.reject(new Error('unused')),
      get: () => Promise.reject(new ResourceStoreUnavailableError('no answer within 2000 ms')),
      delete: () => Promise.reject(new Error('unused')),
      deleteOwned: () => Promise.reject(new Error('unused')),
      usage: () => Promise.reject(new Error('unused')),
    };
    const error = await readerOf(down)
      .read(ctxFor(structuredContent.resource_uri, alice))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: -32603,
      message: expect.stringContaining('The resource store is unavailable'),
      data: { code: 'RESOURCE_STORE_UNAVAILABLE', retryable: true },
    });
  });
});
