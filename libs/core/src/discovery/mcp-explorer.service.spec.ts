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
