import { Injectable, Module } from '@nestjs/common';
import {
  DEPRECATED_META_KEY,
  McpModule,
  Prompt,
  Resource,
  ResourceTemplate,
  Tool,
  VERSION_META_KEY,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';

@Injectable()
class VersionedSearch {
  @Tool({ name: 'search', version: 2, description: 'Search the catalog' })
  search() {
    return 'v2';
  }

  @Tool({
    name: 'search_v1',
    version: '1',
    deprecated: { since: '2', reason: 'q is now query', replacedBy: 'search' },
  })
  searchV1() {
    return 'v1';
  }

  @Resource({ uri: 'catalog://readme', version: '1.1', deprecated: true })
  readme() {
    return 'readme';
  }

  @ResourceTemplate({ uriTemplate: 'catalog://items/{id}', version: 3 })
  item() {
    return 'item';
  }

  @Prompt({ name: 'card', deprecated: { replacedBy: 'greeting' } })
  card() {
    return 'card';
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'catalog', version: '1.0.0' })],
  providers: [VersionedSearch],
})
class VersionedModule {}

// Express stands for both adapters: the lists are the same encoded pages on either.
describe.each(mcpTestMatrix((s) => s.transport === 'memory' || s.adapter === 'express'))(
  'versions and deprecations in the lists over %s',
  (_name, setup) => {
    let t: McpTestApp;

    beforeAll(async () => {
      t = await createMcpTestApp({ imports: [VersionedModule], ...setup });
    });
    afterAll(() => t.close());

    it('sends each tool its version, and a deprecated one its deprecation, in _meta', async () => {
      const { tools } = await t.client.listTools();
      expect(tools.map((tool) => [tool.name, tool._meta])).toEqual([
        ['search', { [VERSION_META_KEY]: '2' }],
        [
          'search_v1',
          {
            [VERSION_META_KEY]: '1',
            [DEPRECATED_META_KEY]: { since: '2', reason: 'q is now query', replacedBy: 'search' },
          },
        ],
      ]);
      // Deprecated is not disabled: it is still called.
      expect((await t.client.callTool({ name: 'search_v1', arguments: {} })).content).toEqual([
        { type: 'text', text: 'v1' },
      ]);
    });

    it('does the same for resources, templates and prompts', async () => {
      const { resources } = await t.client.listResources();
      expect(resources[0]._meta).toEqual({
        [VERSION_META_KEY]: '1.1',
        [DEPRECATED_META_KEY]: {},
      });
      expect(resources[0]).not.toHaveProperty('version');
      const { resourceTemplates } = await t.client.listResourceTemplates();
      expect(resourceTemplates[0]._meta).toEqual({ [VERSION_META_KEY]: '3' });
      const { prompts } = await t.client.listPrompts();
      expect(prompts[0]._meta).toEqual({ [DEPRECATED_META_KEY]: { replacedBy: 'greeting' } });
      expect(prompts[0]).not.toHaveProperty('deprecated');
    });
  },
);
