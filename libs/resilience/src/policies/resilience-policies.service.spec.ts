import { Logger, type ExecutionContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { McpRegistry, McpServers, Tool, type McpServerHost } from '@rampart/core';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { InMemoryBreakerStateStorage } from '../storage/in-memory-breaker-state.storage';
import { BreakerRegistry } from './breaker-registry.service';
import { ResiliencePolicies } from './resilience-policies.service';

/** What `McpServerHost.addTool` binds every dynamic tool to: one shared `run` method. */
class Holder {
  run() {}
}

class Static {
  @Tool({ name: 'static_tool' })
  plain() {}
}

function setup(options: ResilienceModuleOptions, serverNames = ['main']) {
  const servers = new McpServers();
  const registries = new Map<string, McpRegistry>();
  for (const name of serverNames) {
    const registry = new McpRegistry(name);
    registries.set(name, registry);
    servers.register({ name, registry } as McpServerHost);
  }
  const breakers = new BreakerRegistry(new InMemoryBreakerStateStorage());
  const policies = new ResiliencePolicies(
    options,
    new Reflector(),
    {} as DiscoveryService,
    new MetadataScanner(),
    breakers,
    servers,
  );
  const add = (name: string, annotations?: object, server = 'main') =>
    registries.get(server)!.addTool({
      name,
      definition: { name, inputSchema: { type: 'object' }, ...(annotations && { annotations }) },
      source: `dynamic tool ${name}`,
      handler: { kind: 'dynamic', options: { name, ...(annotations && { annotations }) } },
      invoke: () => Promise.resolve(undefined),
    });
  const remove = (name: string, server = 'main') => registries.get(server)!.removeTool(name);
  /** The policy of a call to `target`, as the guard and the interceptor ask for it. */
  const forCall = (
    target: string,
    { method = 'tools/call', server = 'main', cls = Holder as object, handler = 'run' } = {},
  ) =>
    policies.forCall({
      getType: () => 'mcp',
      getClass: () => cls,
      getHandler: () => (cls as { prototype: Record<string, unknown> }).prototype[handler],
      getArgByIndex: (i: number) => (i === 0 ? {} : { method, server, target }),
    } as unknown as ExecutionContext);
  return { policies, breakers, add, remove, forCall };
}

const breaker = { consecutiveFailures: 1, halfOpenAfterMs: 60_000 };

describe('ResiliencePolicies and tools added at run time', () => {
  it('gives a dynamic tool its `tools` entry, over `defaults`', () => {
    const { add, forCall } = setup({
      defaults: { timeout: { attemptMs: 5_000 }, bulkhead: { maxConcurrent: 8 } },
      tools: { dyn: { rateLimit: { points: 1, perMs: 60_000 }, timeout: 1_000 } },
    });
    add('dyn');
    add('other');
    expect(forCall('dyn')?.spec).toEqual({
      rateLimit: [{ name: '1-per-60000', points: 1, perMs: 60_000 }],
      timeout: { attemptMs: 1_000 },
      bulkhead: { maxConcurrent: 8 },
    });
    expect(forCall('dyn')?.name).toBe('dyn');
    expect(forCall('other')?.spec).toEqual({
      timeout: { attemptMs: 5_000 },
      bulkhead: { maxConcurrent: 8 },
    });
  });

  it('gives a dynamic tool nothing when the module options have neither defaults nor tools', () => {
    const { add, forCall } = setup({});
    add('dyn');
    expect(forCall('dyn')).toBeNull();
  });

  it('compiles once per registration: the same breaker on every call', () => {
    const { add, forCall, breakers } = setup({ tools: { dyn: { circuitBreaker: breaker } } });
    add('dyn');
    expect(forCall('dyn')).toBe(forCall('dyn'));
    expect(breakers.snapshot()).toEqual([{ name: 'dyn', state: 'closed', critical: false }]);
  });

  it('drops the breaker of a removed dynamic tool from the snapshot; added again, it starts fresh', async () => {
    const { add, remove, forCall, breakers } = setup({
      tools: { dyn: { circuitBreaker: breaker } },
    });
    add('dyn');
    const first = forCall('dyn')!;
    await expect(
      first.select({}, {} as never).policy.execute(() => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect(breakers.snapshot()).toEqual([{ name: 'dyn', state: 'open', critical: false }]);
    remove('dyn');
    expect(breakers.snapshot()).toEqual([]);
    expect(forCall('dyn')).toBeNull();
    add('dyn');
    const second = forCall('dyn')!;
    expect(second).not.toBe(first);
    expect(breakers.snapshot()).toEqual([{ name: 'dyn', state: 'closed', critical: false }]);
  });

  it('applies a default retry only to dynamic tools annotated idempotent or read-only', () => {
    const { add, forCall } = setup({ defaults: { retry: { attempts: 3 } } });
    add('reader', { readOnlyHint: true });
    add('writer');
    expect(forCall('reader')?.spec.retry).toEqual({ attempts: 3 });
    expect(forCall('writer')).toBeNull();
  });

  it('does not retry an unannotated dynamic tool whose `tools` entry asks for it, and says so', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { add, forCall } = setup({
        tools: {
          pay: { retry: { attempts: 3 }, timeout: 1_000 },
          refund: { retry: { attempts: 3, unsafe: true } },
        },
      });
      add('pay');
      add('refund');
      expect(forCall('pay')?.spec).toEqual({ timeout: { attemptMs: 1_000 } });
      expect(forCall('pay')?.spec).toEqual({ timeout: { attemptMs: 1_000 } });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/dynamic tool "pay".*idempotentHint.*unsafe: true/s);
      expect(forCall('refund')?.spec.retry).toEqual({ attempts: 3, unsafe: true });
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves dynamic resources and prompts alone (they share the handler)', () => {
    const { add, forCall } = setup({ defaults: { timeout: 1_000 } });
    add('dyn');
    expect(forCall('dyn', { method: 'resources/read' })).toBeNull();
    expect(forCall('dyn', { method: 'prompts/get' })).toBeNull();
    expect(forCall('dyn')?.spec.timeout).toEqual({ attemptMs: 1_000 });
  });

  it('keeps to the `server` of the module options', () => {
    const { add, forCall, breakers } = setup(
      { server: 'main', defaults: { circuitBreaker: breaker } },
      ['main', 'other'],
    );
    add('dyn', undefined, 'main');
    add('dyn', undefined, 'other');
    expect(forCall('dyn', { server: 'other' })).toBeNull();
    expect(forCall('dyn')).not.toBeNull();
    expect(breakers.snapshot()).toHaveLength(1);
  });

  it('still resolves decorated tools by handler', () => {
    const { forCall } = setup({ defaults: { timeout: 1_000 } });
    expect(forCall('static_tool', { cls: Static, handler: 'plain' })?.spec).toEqual({
      timeout: { attemptMs: 1_000 },
    });
  });
});
