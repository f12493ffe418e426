import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Completion, Prompt } from '../decorators/prompt.decorator';
import { Resource, ResourceTemplate } from '../decorators/resource.decorator';
import { Tool } from '../decorators/tool.decorator';
import { McpModule } from '../mcp.module';
import { McpServers } from '../mcp-servers.service';

@Injectable()
class Catalog {
  @Tool({ name: 'search' })
  search() {
    return 'found';
  }

  @Tool({ name: 'billing_only', server: 'billing' })
  charge() {
    return 'charged';
  }

  @Resource({ uri: 'catalog://readme' })
  readme() {
    return 'text';
  }

  @ResourceTemplate({ uriTemplate: 'catalog://items/{id}' })
  item() {
    return {};
  }

  @Prompt({ name: 'summarise' })
  summarise() {
    return [];
  }

  @Completion({ prompt: 'summarise', argument: 'style' })
  styles() {
    return [];
  }
}

/** What a library reads of an entry's declaration. */
const method = (type: object, key: string) => ({
  kind: 'method',
  type,
  method: Object.getOwnPropertyDescriptor((type as { prototype: object }).prototype, key)!.value,
  key,
});

describe('McpExplorer: what the registry says of each declaration', () => {
  let module: TestingModule;
  let servers: McpServers;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        McpModule.forRoot({ name: 'shop', version: '1.0.0', http: false }),
        McpModule.forRoot({ name: 'billing', version: '1.0.0', http: false }),
      ],
      providers: [Catalog],
    }).compile();
    await module.init();
    servers = module.get(McpServers);
  });

  afterAll(() => module.close());

  it('lists every server, each with its registry, and finds one by name without throwing', () => {
    expect(servers.all().map((host) => host.registry.server)).toEqual(['shop', 'billing']);
    expect(servers.find('billing')).toBe(servers.get('billing'));
    expect(servers.find('nowhere')).toBeUndefined();
  });

  it('gives every entry of a decorated method its class, method and name, the same in every server', () => {
    const shop = servers.get('shop').registry;
    const billing = servers.get('billing').registry;
    expect(shop.tools.get('search')!.handler).toEqual(method(Catalog, 'search'));
    expect(billing.tools.get('search')!.handler).toEqual(shop.tools.get('search')!.handler);
    expect(billing.tools.get('billing_only')!.handler).toEqual(method(Catalog, 'charge'));
    expect(shop.tools.get('billing_only')).toBeUndefined();
    expect(shop.resources.get('catalog://readme')!.handler).toEqual(method(Catalog, 'readme'));
    expect(shop.templates.list()[0].handler).toEqual(method(Catalog, 'item'));
    expect(shop.prompts.get('summarise')!.handler).toEqual(method(Catalog, 'summarise'));
    expect(shop.completion('prompt', 'summarise', 'style')!.handler).toEqual(
      method(Catalog, 'styles'),
    );
  });

  it('gives a primitive added at run time the options it was added with', () => {
    const host = servers.get('shop');
    const handler = () => 'pong';
    host.addTool({ name: 'ping', description: 'Answers pong', handler });
    host.addResource({ name: 'motd', uri: 'catalog://motd', handler: () => 'hi' });
    host.addPrompt({ name: 'greet', handler: () => [] });
    try {
      expect(host.registry.tools.get('ping')!.handler).toEqual({
        kind: 'dynamic',
        options: { name: 'ping', description: 'Answers pong' },
      });
      expect(host.registry.resources.get('catalog://motd')!.handler).toEqual({
        kind: 'dynamic',
        options: { name: 'motd', uri: 'catalog://motd' },
      });
      expect(host.registry.prompts.get('greet')!.handler).toEqual({
        kind: 'dynamic',
        options: { name: 'greet' },
      });
    } finally {
      host.removeTool('ping');
      host.removeResource('catalog://motd');
      host.removePrompt('greet');
    }
  });
});

@Injectable()
class VersionedCatalog {
  @Tool({ name: 'search', version: 2, _meta: { 'example.com/team': 'search' } })
  search() {
    return 'found';
  }

  @Tool({ name: 'search_v1', version: '1', deprecated: { since: '2', replacedBy: 'search' } })
  searchV1() {
    return 'found';
  }

  @Resource({ uri: 'catalog://readme', version: '1.1', deprecated: true })
  readme() {
    return 'text';
  }

  @ResourceTemplate({ uriTemplate: 'catalog://items/{id}', deprecated: { reason: 'use search' } })
  item() {
    return {};
  }

  @Prompt({ name: 'summarise', version: 3, deprecated: false })
  summarise() {
    return [];
  }
}

describe('McpExplorer: versions and deprecations in the lists', () => {
  let module: TestingModule;
  let servers: McpServers;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'shop', version: '1.0.0', http: false })],
      providers: [VersionedCatalog],
    }).compile();
    await module.init();
    servers = module.get(McpServers);
  });

  afterAll(() => module.close());

  it("sends them in each definition's _meta, beside the options' own _meta", () => {
    const registry = servers.get('shop').registry;
    expect(registry.tools.get('search')!.definition._meta).toEqual({
      'example.com/team': 'search',
      'io.rampart/version': '2',
    });
    expect(registry.tools.get('search_v1')!.definition._meta).toEqual({
      'io.rampart/version': '1',
      'io.rampart/deprecated': { since: '2', replacedBy: 'search' },
    });
    expect(registry.resources.get('catalog://readme')!.definition).toEqual({
      uri: 'catalog://readme',
      name: 'readme',
      _meta: { 'io.rampart/version': '1.1', 'io.rampart/deprecated': {} },
    });
    expect(registry.templates.get('item')!.definition).toEqual({
      uriTemplate: 'catalog://items/{id}',
      name: 'item',
      _meta: { 'io.rampart/deprecated': { reason: 'use search' } },
    });
    expect(registry.prompts.get('summarise')!.definition).toEqual({
      name: 'summarise',
      _meta: { 'io.rampart/version': '3' },
    });
  });

  it('sends them for primitives added at run time, and refuses invalid ones there too', () => {
    const host = servers.get('shop');
    host.addTool({ name: 'ping', version: 1, deprecated: true, handler: () => 'pong' });
    host.addResource({ name: 'motd', uri: 'catalog://motd', version: '2', handler: () => 'hi' });
    host.addPrompt({ name: 'greet', deprecated: { since: '2026-01-01' }, handler: () => [] });
    try {
      expect(host.registry.tools.get('ping')!.definition._meta).toEqual({
        'io.rampart/version': '1',
        'io.rampart/deprecated': {},
      });
      expect(host.registry.resources.get('catalog://motd')!.definition).toEqual({
        uri: 'catalog://motd',
        name: 'motd',
        _meta: { 'io.rampart/version': '2' },
      });
      expect(host.registry.prompts.get('greet')!.definition).toEqual({
        name: 'greet',
        _meta: { 'io.rampart/deprecated': { since: '2026-01-01' } },
      });
      expect(() => host.addTool({ name: 'bad', version: 'v2', handler: () => '' })).toThrow(
        `Invalid dynamic tool "bad": "version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got "v2"`,
      );
      expect(() =>
        host.addPrompt({ name: 'bad', deprecated: 'yes' as never, handler: () => [] }),
      ).toThrow(/Invalid dynamic prompt "bad": "deprecated" must be a boolean/);
      expect(host.registry.tools.get('bad')).toBeUndefined();
    } finally {
      host.removeTool('ping');
      host.removeResource('catalog://motd');
      host.removePrompt('greet');
    }
  });
});
