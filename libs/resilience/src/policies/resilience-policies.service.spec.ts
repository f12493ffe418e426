import { Logger, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  McpRegistry,
  McpServers,
  Resource,
  Tool,
  ToolMetadata,
  type McpServerHost,
} from '@rampart/core';
import { CircuitBreaker } from '../decorators/circuit-breaker.decorator';
import { Retry } from '../decorators/retry.decorator';
import { Timeout } from '../decorators/timeout.decorator';
import { isResilienceDefinitionError } from '../errors/resilience-definition.error';
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

class Decorated {
  @Tool({ name: 'fetch_page', annotations: { readOnlyHint: true } })
  @CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 60_000 })
  fetch() {}

  @Resource({ uri: 'docs://readme' })
  @Timeout({ attemptMs: 500 })
  readme() {}

  @Tool({ name: 'plain_tool' })
  plain() {}

  /** Not in any registry: never read. */
  @Timeout({ attemptMs: 1 })
  helper() {}
}

class Unsafe {
  @Tool({ name: 'pay' })
  @Retry({ attempts: 3 })
  pay() {}
}

const methodOf = (type: Type, key: string) =>
  Object.getOwnPropertyDescriptor(type.prototype, key)!.value as () => void;

/** Adds the `@Tool()` method `key` of `type` to `registry`, as discovery does. */
function declareTool(registry: McpRegistry, type: Type, key: string): void {
  const method = methodOf(type, key);
  const tool = new Reflector().get(ToolMetadata, method);
  registry.addTool({
    name: tool.name,
    definition: { name: tool.name, inputSchema: { type: 'object' }, annotations: tool.annotations },
    source: `${type.name}.${key}`,
    handler: { kind: 'method', type, method, key },
    invoke: () => Promise.resolve(undefined),
  });
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
  const policies = new ResiliencePolicies(options, new Reflector(), breakers, servers);
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
  const registry = (server = 'main') => registries.get(server)!;
  return { policies, breakers, add, remove, forCall, registry };
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
    const { forCall, registry } = setup({ defaults: { timeout: 1_000 } });
    declareTool(registry(), Static, 'plain');
    expect(forCall('static_tool', { cls: Static, handler: 'plain' })?.spec).toEqual({
      timeout: { attemptMs: 1_000 },
    });
  });
});

describe('ResiliencePolicies and what the registries declare', () => {
  it('compiles every declared method at bootstrap, and a retry on a tool that is not idempotent fails it', () => {
    const { policies, registry } = setup({});
    declareTool(registry(), Unsafe, 'pay');
    let error: unknown;
    try {
      policies.onApplicationBootstrap();
    } catch (e) {
      error = e;
    }
    expect(isResilienceDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/@Retry\(\) on Unsafe\.pay \(tool "pay"\)/);
  });

  it('gives a method one policy whatever the server, found by server and tool or by handler', () => {
    const { policies, forCall, registry, breakers } = setup({}, ['main', 'other']);
    declareTool(registry('main'), Decorated, 'fetch');
    declareTool(registry('other'), Decorated, 'fetch');
    policies.onApplicationBootstrap();
    const policy = policies.forTool('main', 'fetch_page');
    expect(policy?.name).toBe('fetch_page');
    expect(policies.forTool('other', 'fetch_page')).toBe(policy);
    expect(forCall('fetch_page', { cls: Decorated, handler: 'fetch' })).toBe(policy);
    expect(breakers.snapshot()).toEqual([{ name: 'fetch_page', state: 'closed', critical: false }]);
  });

  it("reads a decorated resource's policy under its Class.method, without the tool defaults", () => {
    const { policies, forCall, registry } = setup({ defaults: { bulkhead: { maxConcurrent: 2 } } });
    const method = methodOf(Decorated, 'readme');
    registry().addResource({
      uri: 'docs://readme',
      definition: { uri: 'docs://readme', name: 'readme' },
      source: 'Decorated.readme',
      handler: { kind: 'method', type: Decorated, method, key: 'readme' },
      invoke: () => Promise.resolve(undefined),
    });
    declareTool(registry(), Decorated, 'plain');
    policies.onApplicationBootstrap();
    const readme = forCall('docs://readme', {
      method: 'resources/read',
      cls: Decorated,
      handler: 'readme',
    });
    expect(readme?.name).toBe('Decorated.readme');
    expect(readme?.spec).toEqual({ timeout: { attemptMs: 500 } });
    expect(policies.forTool('main', 'plain_tool')?.spec).toEqual({
      bulkhead: { maxConcurrent: 2 },
    });
  });

  it('knows nothing of methods no registry declares, and of tools no server has', () => {
    const { policies, forCall } = setup({ defaults: { timeout: 1_000 } });
    policies.onApplicationBootstrap();
    expect(forCall('helper', { cls: Decorated, handler: 'helper' })).toBeNull();
    expect(policies.forTool('main', 'nope')).toBeNull();
    expect(policies.forTool('nowhere', 'fetch_page')).toBeNull();
  });
});
