import {
  DEPRECATED_META_KEY,
  McpServers,
  contractOf,
  diffContracts,
  type McpContract,
} from '@rampart/core';
import { createMcpTestApp } from '@rampart/testing';
import { CatalogModule } from '../../docs/examples/contracts.example';

/** The committed contract of version 1, when `search` took `q`. */
const VERSION_1: McpContract = {
  rampartContract: 1,
  servers: {
    catalog: {
      tools: {
        search: {
          description: 'Finds catalog titles that contain q.',
          annotations: { readOnlyHint: true },
          inputSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: { q: { type: 'string' } },
            required: ['q'],
          },
        },
      },
      resources: {},
      resourceTemplates: {},
      prompts: {},
    },
  },
};

describe('docs example: contracts', () => {
  it('serves both versions, marks the old one deprecated, and passes the check against version 1', async () => {
    const t = await createMcpTestApp({ imports: [CatalogModule] });
    try {
      const { tools } = await t.client.listTools();
      expect(tools.find((x) => x.name === 'search_v1')?._meta?.[DEPRECATED_META_KEY]).toEqual({
        since: '2',
        replacedBy: 'search',
        reason: '`q` is now `query`',
      });
      const found = await t.client.callTool({ name: 'search_v1', arguments: { q: 'mcp' } });
      expect(found.content).toEqual([{ type: 'text', text: '["MCP for Servers"]' }]);

      const build = contractOf(
        t.app
          .get(McpServers)
          .all()
          .map((host) => host.registry),
      );
      const changes = diffContracts(VERSION_1, build);
      expect(changes.filter((c) => c.severity === 'breaking').map((c) => c.message)).toEqual([
        'input property "q" removed',
        'input property "query" added (required)',
      ]);
      expect(changes.filter((c) => c.severity === 'breaking').every((c) => c.accepted)).toBe(true);
    } finally {
      await t.close();
    }
  });
});
