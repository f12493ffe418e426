import { Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
import { isResourceLinkNotFoundError } from '../errors/resource-link-not-found.error';
import { isResourceOwnerRequiredError } from '../errors/resource-owner-required.error';
import { isResourceTooLargeError } from '../errors/resource-too-large.error';
import type { ResourcesModuleOptions } from '../interfaces/resources-module-options.interface';
import { ResourceLinkSigner } from '../links/resource-link.signer';
import { resolveResourcesOptions } from '../resources-options';
import { InMemoryResourceStore } from '../storage/in-memory-resource.store';
import type {
  ResourceInput,
  ResourceOwnerFilter,
  ResourcePutResult,
  ResourceStore,
  ResourceStoreUsage,
  StoredResource,
} from '../storage/resource.store';
import { Offloader, previewOf } from './offloader.service';

const NOW = Date.parse('2027-01-01T00:00:00Z');
const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const alice: McpIdentity = { subject: 'alice', tenant: 'acme', scopes: ['read'] };
const page = 'Lorem ipsum dolor sit amet. '.repeat(400); // 11 200 bytes

/** A store that records what it was asked, to show that refused links never reach it. */
class RecordingStore implements ResourceStore {
  constructor(private readonly inner: ResourceStore = new InMemoryResourceStore()) {}
  readonly reads: string[] = [];
  readonly deletes: string[] = [];
  put(input: ResourceInput): Promise<ResourcePutResult> {
    return this.inner.put(input);
  }
  get(id: string): Promise<StoredResource | undefined> {
    this.reads.push(id);
    return this.inner.get(id);
  }
  delete(id: string): Promise<boolean> {
    this.deletes.push(id);
    return this.inner.delete(id);
  }
  deleteOwned(filter: ResourceOwnerFilter): Promise<number> {
    return this.inner.deleteOwned(filter);
  }
  usage(): Promise<ResourceStoreUsage> {
    return this.inner.usage();
  }
}

describe('Offloader', () => {
  // Refusals are logged at debug level: not in the test output.
  beforeAll(() => jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  let store: RecordingStore;
  const signer = new ResourceLinkSigner([{ id: 'k1', secret: SECRET }]);
  const offloaderWith = (options: ResourcesModuleOptions = {}) =>
    new Offloader(store, signer, resolveResourcesOptions(options));
  let offloader: Offloader;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
    store = new RecordingStore();
    offloader = offloaderWith();
  });
  afterEach(() => jest.useRealTimers());

  /** The error a read fails with. */
  const readError = (uri: string, reader: McpIdentity | undefined, o = offloader) =>
    o.read(uri, reader).then(
      () => undefined,
      (e: unknown) => e,
    );
  const expectNotFound = (error: unknown, uri: string) => {
    expect(isResourceLinkNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({
      code: -32602,
      message: `Resource not found: ${uri}`,
      data: { uri },
    });
  };

  it('passes a result of thresholdBytes or fewer through unchanged', async () => {
    const small = 'x'.repeat(8_192);
    expect(await offloader.offloadIfLarge(small, { owner: alice })).toBe(small);
    const bytes = Buffer.alloc(100);
    expect(await offloader.offloadIfLarge(bytes, { owner: alice })).toBe(bytes);
    expect((await store.usage()).entries).toBe(0);
  });

  it("answers a large one with a preview, a resource link and the seed's structuredContent", async () => {
    const result = await offloader.offloadIfLarge(page, { owner: alice, mimeType: 'text/html' });
    if (typeof result === 'string') throw new Error('not offloaded');
    const { resource_id, resource_uri } = result.structuredContent;
    expect(resource_uri).toMatch(/^rampart:\/\/resources\/[\w-]{22}\?sub=alice&ten=acme&exp=/);
    expect(result.structuredContent).toEqual({
      resource_id,
      resource_uri,
      preview: page.slice(0, 500),
      size_bytes: 11_200,
      expires_at: new Date(NOW + 3_600_000).toISOString(),
    });
    expect(result.content[1]).toEqual({
      type: 'resource_link',
      uri: resource_uri,
      name: `offloaded-${resource_id}`,
      description: `The whole result (11200 bytes), readable until ${new Date(NOW + 3_600_000).toISOString()}`,
      mimeType: 'text/html',
      size: 11_200,
    });
    expect(result.content[0].type).toBe('text');
    expect(result.content[0].text.startsWith(page.slice(0, 500))).toBe(true);
    expect(result.content[0].text).toContain(resource_uri);
    const stored = await offloader.read(resource_uri, alice);
    expect(stored).toMatchObject({
      content: page,
      mimeType: 'text/html',
      owner: { subject: 'alice', tenant: 'acme' },
    });
  });

  it('takes threshold, preview, TTL and name from the call over the module', async () => {
    const o = offloaderWith({ offload: { thresholdBytes: 10, previewChars: 3 }, ttlMs: 1_000 });
    expect(await o.offloadIfLarge('0123456789', { owner: alice })).toBe('0123456789');
    const module = await o.offloadIfLarge('0123456789A', { owner: alice });
    expect(module).toMatchObject({ structuredContent: { preview: '012' } });
    const call = await o.offloadIfLarge('0123456789', {
      owner: alice,
      thresholdBytes: 5,
      previewChars: 4,
      ttlMs: 5_000,
      name: 'report',
    });
    expect(call).toMatchObject({
      structuredContent: { preview: '0123', expires_at: new Date(NOW + 5_000).toISOString() },
      content: [{}, { name: 'report' }],
    });
  });

  it('fails with RESOURCE_TOO_LARGE past maxEntryBytes', async () => {
    store = new RecordingStore(
      new InMemoryResourceStore({ maxBytes: 20_000, maxEntryBytes: 10_000 }),
    );
    const error = await offloaderWith()
      .offloadIfLarge(page, { owner: alice })
      .catch((e: unknown) => e);
    expect(isResourceTooLargeError(error)).toBe(true);
  });

  describe('reading a link', () => {
    let uri: string;
    beforeEach(async () => {
      const result = await offloader.offload(page, { owner: alice });
      uri = result.structuredContent.resource_uri;
    });

    it('gives the owner the whole result, however its identity carries more', async () => {
      const stored = await offloader.read(uri, { subject: 'alice', tenant: 'acme', roles: ['x'] });
      expect(stored.content).toBe(page);
    });

    it.each([
      ['another subject of the tenant', { subject: 'bob', tenant: 'acme' }],
      ['the same subject in another tenant', { subject: 'alice', tenant: 'other' }],
      ['the same subject without tenant', { subject: 'alice' }],
      ['an anonymous caller', undefined],
    ])('answers %s the same not-found, without reading the store', async (_who, reader) => {
      expectNotFound(await readError(uri, reader as McpIdentity | undefined), uri);
      expect(store.reads).toEqual([]);
    });

    it('answers a tampered, unknown-key or expired link the same not-found, without reading the store', async () => {
      const tampered = uri.replace('sub=alice', 'sub=bob');
      expectNotFound(await readError(tampered, { subject: 'bob', tenant: 'acme' }), tampered);
      const foreignKey = new ResourceLinkSigner([{ id: 'k9', secret: SECRET }]);
      const forged = foreignKey.sign({
        id: uri.slice(20, 42),
        owner: { subject: 'alice', tenant: 'acme' },
        expiresAt: NOW + 60_000,
      });
      expectNotFound(await readError(forged, alice), forged);
      jest.advanceTimersByTime(3_600_000);
      expectNotFound(await readError(uri, alice), uri);
      expect(store.reads).toEqual([]);
    });

    it('answers a deleted link, or a well-signed one for an id never stored, the same not-found', async () => {
      expect(await offloader.delete(uri, alice)).toBe(true);
      expectNotFound(await readError(uri, alice), uri);
      const never = signer.sign({
        id: 'N'.repeat(22),
        owner: { subject: 'alice', tenant: 'acme' },
        expiresAt: NOW + 60_000,
      });
      expectNotFound(await readError(never, alice), never);
      expect(await offloader.delete(uri, alice)).toBe(false);
    });

    it('deletes nothing for a caller that may not read the link', async () => {
      expect(await offloader.delete(uri, { subject: 'bob', tenant: 'acme' })).toBe(false);
      expect(store.deletes).toEqual([]);
      expect((await offloader.read(uri, alice)).content).toBe(page);
    });

    it('lets holders of the sharing scope read links of their own tenant only', async () => {
      const sharing = offloaderWith({ sharingScope: 'resources:share' });
      const auditor = { subject: 'carol', tenant: 'acme', scopes: ['resources:share'] };
      expect((await sharing.read(uri, auditor)).content).toBe(page);
      const outsider = { subject: 'carol', tenant: 'other', scopes: ['resources:share'] };
      expectNotFound(await readError(uri, outsider, sharing), uri);
      // Without the option, the scope means nothing.
      expectNotFound(await readError(uri, auditor), uri);
    });
  });

  describe('anonymous callers', () => {
    it('are refused a link by default, since there is no owner to bind it to', async () => {
      const error = await offloader.offloadIfLarge(page, { owner: undefined }).catch((e) => e);
      expect(isResourceOwnerRequiredError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'RESOURCE_OWNER_REQUIRED', refusal: 'denied' });
      expect((await store.usage()).entries).toBe(0);
      // A small result needs no link: it passes.
      expect(await offloader.offloadIfLarge('hi', { owner: undefined })).toBe('hi');
    });

    it("get a bearer link with anonymous: 'allow', which any holder reads", async () => {
      const open = offloaderWith({ anonymous: 'allow' });
      const result = await open.offload(page, { owner: undefined });
      const uri = result.structuredContent.resource_uri;
      expect(uri).not.toContain('sub=');
      expect((await open.read(uri, undefined)).content).toBe(page);
      expect((await open.read(uri, alice)).content).toBe(page);
      // Turned off later: the links already given stop reading.
      expectNotFound(await readError(uri, undefined, offloaderWith()), uri);
    });
  });
});

describe('previewOf', () => {
  it('never cuts a surrogate pair in two', () => {
    expect(previewOf('ab😀cd', 3, 'text/plain')).toBe('ab');
    expect(previewOf('ab😀cd', 4, 'text/plain')).toBe('ab😀');
  });

  it('decodes the start of textual bytes, dropping a character cut at the end', () => {
    const bytes = Buffer.from('é'.repeat(10));
    expect(previewOf(bytes, 3, 'application/json')).toBe('ééé');
    expect(previewOf(Buffer.from('aé'), 5, 'text/csv')).toBe('aé');
  });

  it('gives no preview of bytes that are not text', () => {
    expect(previewOf(Buffer.from('PNG....'), 10, 'image/png')).toBe('');
  });
});
