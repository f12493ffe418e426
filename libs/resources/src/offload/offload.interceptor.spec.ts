import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { McpIdentity } from '@rampart/core';
import { fakeMcpCall } from '@rampart/testing';
import { firstValueFrom, of } from 'rxjs';
import { Offload } from '../decorators/offload.decorator';
import { isResourcesDefinitionError } from '../errors/resources-definition.error';
import { ResourceLinkSigner } from '../links/resource-link.signer';
import { resolveResourcesOptions } from '../resources-options';
import { InMemoryResourceStore } from '../storage/in-memory-resource.store';
import { OffloadInterceptor } from './offload.interceptor';
import { Offloader } from './offloader.service';

class Tools {
  @Offload({ thresholdBytes: 10, previewChars: 4 })
  big(): string {
    return '';
  }

  plain(): string {
    return '';
  }
}

const alice: McpIdentity = { subject: 'alice', tenant: 'acme' };

describe('OffloadInterceptor and @Offload()', () => {
  const store = new InMemoryResourceStore();
  const signer = new ResourceLinkSigner([{ id: 'k1', secret: 'x'.repeat(32) }]);
  const offloader = new Offloader(store, signer, resolveResourcesOptions({}));
  const interceptor = new OffloadInterceptor(new Reflector(), offloader);

  function contextOf(
    method: keyof Tools,
    { type = 'mcp', call = 'tools/call' }: { type?: string; call?: string } = {},
  ): ExecutionContext {
    const ctx = fakeMcpCall({
      method: call,
      target: method,
      origin: { identity: alice },
    }).context();
    return {
      getType: () => type,
      getClass: () => Tools,
      getHandler: () => Tools.prototype[method],
      getArgByIndex: (i: number) => (i === 0 ? {} : ctx),
    } as unknown as ExecutionContext;
  }

  it("offloads a large string of an @Offload() tool with the decorator's options, owned by the caller", async () => {
    const result = (await interceptor.interceptCall(contextOf('big'), () =>
      Promise.resolve('0123456789AB'),
    )) as { structuredContent: { resource_uri: string; preview: string; size_bytes: number } };
    expect(result.structuredContent).toMatchObject({ preview: '0123', size_bytes: 12 });
    expect((await offloader.read(result.structuredContent.resource_uri, alice)).content).toBe(
      '0123456789AB',
    );
  });

  it('does the same in the observable form, for bytes', async () => {
    const next: CallHandler = { handle: () => of(Buffer.from('0123456789AB')) };
    const result = await firstValueFrom(interceptor.intercept(contextOf('big'), next));
    expect(result).toMatchObject({ structuredContent: { size_bytes: 12 } });
  });

  it('passes through small results, other values, methods without @Offload(), other calls and HTTP', async () => {
    const through = (value: unknown, context: ExecutionContext) =>
      interceptor.interceptCall(context, () => Promise.resolve(value));
    expect(await through('0123456789', contextOf('big'))).toBe('0123456789');
    const full = { content: [{ type: 'text', text: 'x'.repeat(100) }] };
    expect(await through(full, contextOf('big'))).toBe(full);
    expect(await through({ rows: 'x'.repeat(100) }, contextOf('big'))).toEqual({
      rows: 'x'.repeat(100),
    });
    expect(await through('x'.repeat(100), contextOf('plain'))).toBe('x'.repeat(100));
    expect(await through('x'.repeat(100), contextOf('big', { call: 'resources/read' }))).toBe(
      'x'.repeat(100),
    );
    expect(await through('x'.repeat(100), contextOf('big', { type: 'http' }))).toBe(
      'x'.repeat(100),
    );
    expect((await store.usage()).entries).toBe(2); // the two offloaded above, no more
  });

  it('refuses bad options when the class is defined', () => {
    const define = (options: object) => () => {
      class Bad {
        @Offload(options)
        tool() {}
      }
      return Bad;
    };
    for (const options of [
      { thresholdBytes: -1 },
      { previewChars: 1.5 },
      { ttlMs: 0 },
      { mimeType: 'plain' },
    ]) {
      let error: unknown;
      try {
        define(options)();
      } catch (e) {
        error = e;
      }
      expect(isResourcesDefinitionError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid @Offload\(\) on Bad\.tool: /);
    }
  });
});
