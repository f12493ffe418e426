import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Args, McpModule, Tool } from '@rampart/core';
import { createMcpTestApp } from '@rampart/testing';
import { Offload } from './decorators/offload.decorator';
import { isResourceLinkKeyError } from './errors/resource-link-key.error';
import { isResourcesDefinitionError } from './errors/resources-definition.error';
import { ResourceLinkSigner } from './links/resource-link.signer';
import { Offloader } from './offload/offloader.service';
import { ResourcesModule } from './resources.module';
import { RESOURCE_URI_TEMPLATE } from './resources.constants';
import { InMemoryResourceStore } from './storage/in-memory-resource.store';
import { ResourceStore } from './storage/resource.store';

const keys = [{ id: 'k1', secret: 'a-secret-of-at-least-thirty-two-bytes!!' }];
const mcp = McpModule.forRoot({ name: 'spec', version: '1.0.0', http: false });

@Injectable()
class NeedsOffloader {
  constructor(readonly offloader: Offloader) {}
}

@Module({ providers: [NeedsOffloader] })
class ConsumerModule {}

@Injectable()
class ReportTools {
  @Tool({ name: 'report' })
  @Offload({ thresholdBytes: 100 })
  report(@Args() { size }: { size: number }) {
    return 'r'.repeat(size);
  }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('ResourcesModule', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('forRoot without options: a memory store and a random key, with a warning', async () => {
    const module = await Test.createTestingModule({
      imports: [ResourcesModule.forRoot()],
    }).compile();
    expect(module.get(ResourceStore)).toBeInstanceOf(InMemoryResourceStore);
    expect(module.get(Offloader)).toBeInstanceOf(Offloader);
    expect(module.get(ResourceLinkSigner).signingKeyId).toMatch(/^ephemeral-/);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('will not survive a restart'));
    await module.close();
  });

  it('forRoot: takes a store instance, and memory for an unset Redis URL', async () => {
    const mine = new InMemoryResourceStore({ maxBytes: 1_000 });
    const given = await Test.createTestingModule({
      imports: [ResourcesModule.forRoot({ storage: mine, keys })],
    }).compile();
    expect(given.get(ResourceStore)).toBe(mine);
    expect(given.get(ResourceLinkSigner).signingKeyId).toBe('k1');
    expect(warn).not.toHaveBeenCalled();
    await given.close();
    for (const redis of [undefined, '']) {
      const unset = await Test.createTestingModule({
        imports: [ResourcesModule.forRoot({ storage: { redis }, keys, maxBytes: 1_000 })],
      }).compile();
      expect(unset.get(ResourceStore)).toBeInstanceOf(InMemoryResourceStore);
      expect((unset.get(ResourceStore) as InMemoryResourceStore).maxBytes).toBe(1_000);
      await unset.close();
    }
  });

  it('refuses a secret shorter than 32 bytes at boot with a ResourceLinkKeyError', async () => {
    const error = await failure(
      Test.createTestingModule({
        imports: [ResourcesModule.forRoot({ keys: [{ id: 'weak', secret: 'short' }] })],
      }).compile(),
    );
    expect(isResourceLinkKeyError(error)).toBe(true);
    expect((error as Error).message).toContain('"weak"');
  });

  it('refuses options that cannot work at boot with a ResourcesDefinitionError', async () => {
    for (const options of [
      { maxBytes: 10, maxEntryBytes: 20 },
      { ttlMs: -1 },
      { anonymous: 'maybe' as 'allow' },
      { offload: { previewChars: -5 } },
      { sharingScope: '' },
    ]) {
      const error = await failure(
        Test.createTestingModule({
          imports: [ResourcesModule.forRoot({ keys, ...options })],
        }).compile(),
      );
      expect(isResourcesDefinitionError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid ResourcesModule option "/);
    }
  });

  it('forRootAsync: options from a factory, global by default', async () => {
    const module = await Test.createTestingModule({
      imports: [ConsumerModule, ResourcesModule.forRootAsync({ useFactory: () => ({ keys }) })],
    }).compile();
    expect(module.get(NeedsOffloader).offloader).toBeInstanceOf(Offloader);
    await module.close();
  });

  it('forRootAsync with isGlobal: false keeps its providers to the modules that import it', async () => {
    const error = await failure(
      Test.createTestingModule({
        imports: [
          ConsumerModule,
          ResourcesModule.forRootAsync({ isGlobal: false, useFactory: () => ({ keys }) }),
        ],
      }).compile(),
    );
    expect(String(error)).toMatch(/can't resolve dependencies of the NeedsOffloader/i);
  });

  it.each([
    ['forRoot', () => ResourcesModule.forRoot({ keys, anonymous: 'allow' })],
    [
      'forRootAsync',
      () =>
        ResourcesModule.forRootAsync({ useFactory: () => ({ keys, anonymous: 'allow' as const }) }),
    ],
  ])(
    '%s: registers the offload interceptor globally and the template with core',
    async (_how, resources) => {
      const t = await createMcpTestApp({ imports: [mcp, resources()], providers: [ReportTools] });
      try {
        const small = await t.client.callTool({ name: 'report', arguments: { size: 100 } });
        expect(small.content).toEqual([{ type: 'text', text: 'r'.repeat(100) }]);
        expect(small.structuredContent).toBeUndefined();
        const large = await t.client.callTool({ name: 'report', arguments: { size: 101 } });
        const { resource_uri } = large.structuredContent as { resource_uri: string };
        const read = await t.client.readResource({ uri: resource_uri });
        expect(read.contents).toEqual([
          { uri: resource_uri, mimeType: 'text/plain', text: 'r'.repeat(101) },
        ]);
        const { resourceTemplates } = await t.client.listResourceTemplates();
        expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual([RESOURCE_URI_TEMPLATE]);
        expect((await t.client.listResources()).resources).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it('forRootAsync with globalInterceptor: false registers no global interceptor', async () => {
    const t = await createMcpTestApp({
      imports: [
        mcp,
        ResourcesModule.forRootAsync({
          globalInterceptor: false,
          useFactory: () => ({ keys, anonymous: 'allow' as const }),
        }),
      ],
      providers: [ReportTools],
    });
    try {
      const large = await t.client.callTool({ name: 'report', arguments: { size: 101 } });
      expect(large.content).toEqual([{ type: 'text', text: 'r'.repeat(101) }]);
    } finally {
      await t.close();
    }
  });
});
