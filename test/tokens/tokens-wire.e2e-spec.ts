import { Injectable, Module } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { Client } from '@modelcontextprotocol/client';
import {
  Args,
  listedDefinitions,
  McpModule,
  McpServers,
  META_TOOL_NAMES,
  measureDefinitions,
  o200kCounter,
  Prompt,
  Resource,
  ResourceTemplate,
  Tool,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';

class FindInput {
  @IsString()
  query!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;
}

class Topic {
  @IsString()
  topic!: string;
}

@Injectable()
class Library {
  @Tool({
    name: 'find',
    version: 2,
    description: 'Finds books whose title contains the query.',
    annotations: { readOnlyHint: true },
    output: {
      type: 'object',
      properties: { titles: { type: 'array', items: { type: 'string' } } },
      required: ['titles'],
    },
  })
  find(@Args() { query }: FindInput) {
    return { titles: [query] };
  }

  @Tool({
    name: 'find_v1',
    deprecated: { since: '2', replacedBy: 'find' },
    description: 'Finds books.',
  })
  findV1(@Args() { query }: FindInput) {
    return query;
  }

  @Tool({ name: 'count', description: 'Counts the books.' })
  count() {
    return '3';
  }

  @Resource({ uri: 'library://catalogue', mimeType: 'text/plain', description: 'Every title' })
  catalogue() {
    return 'titles';
  }

  @ResourceTemplate({ uriTemplate: 'library://books/{isbn}', mimeType: 'application/json' })
  book() {
    return '{}';
  }

  @Prompt({ name: 'review', description: 'Write a review' })
  review(@Args() { topic }: Topic) {
    return `Review ${topic}.`;
  }

  @Prompt({ name: 'summary' })
  summary() {
    return 'Summarise.';
  }
}

// Pages of two definitions: the counts must read every page, as a client does.
@Module({
  imports: [McpModule.forRoot({ name: 'library', version: '1.0.0', pageSize: 2 })],
  providers: [Library],
})
class LibraryModule {}

type Page = Record<string, unknown> & { nextCursor?: string };

/** Every page of one list, as the client receives them. */
async function all(
  list: (params?: { cursor?: string }) => Promise<Page>,
  field: string,
): Promise<Record<string, unknown>[]> {
  const entries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? undefined : { cursor });
    entries.push(...(page[field] as Record<string, unknown>[]));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return entries;
}

/**
 * What `rampart-tokens` counts is what a 2026-07-28 client receives: the definitions of every
 * page of the four lists, in memory and over HTTP, counted by gpt-tokenizer's o200k_base.
 */
describe.each(
  mcpTestMatrix((s) => s.era === 'modern' && (s.transport === 'memory' || s.adapter === 'express')),
)('rampart-tokens counts the lists a client receives, over %s', (_name, setup) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [LibraryModule], ...setup });
  });
  afterAll(() => t.close());

  it('the same definitions, page after page, and the same count', async () => {
    const client: Client = t.client;
    const received = {
      tool: await all((p) => client.listTools(p), 'tools'),
      resource: await all((p) => client.listResources(p), 'resources'),
      resourceTemplate: await all((p) => client.listResourceTemplates(p), 'resourceTemplates'),
      prompt: await all((p) => client.listPrompts(p), 'prompts'),
    };
    expect(received.tool.map((tool) => tool.name)).toEqual(['count', 'find', 'find_v1']);

    const host = t.app.get(McpServers).get('library');
    const listed = listedDefinitions(host);
    for (const kind of ['tool', 'resource', 'resourceTemplate', 'prompt'] as const)
      expect(listed.filter((d) => d.kind === kind).map((d) => d.definition)).toEqual(
        received[kind],
      );

    const measured = measureDefinitions('library', listed, o200kCounter());
    const clientTotal = Object.values(received)
      .flat()
      .reduce((sum, definition) => sum + countTokens(JSON.stringify(definition)), 0);
    expect(measured.total).toBe(clientTotal);
    expect(measured.definitions).toHaveLength(7);
    expect(measured.kinds.tool.count).toBe(3);
  });
});

// Progressive discovery: the same 40 tools, listed in full or behind the meta-tools.
const catalogue = (mode: 'list' | 'progressive') => {
  @Module({
    imports: [McpModule.forRoot({ name: 'catalogue', version: '1.0.0', discovery: { mode } })],
  })
  class CatalogueModule {}
  return CatalogueModule;
};

describe('rampart-tokens on a server in progressive discovery mode', () => {
  const measure = async (mode: 'list' | 'progressive') => {
    const t = await createMcpTestApp({ imports: [catalogue(mode)] });
    try {
      const host = t.app.get(McpServers).get('catalogue');
      for (let i = 0; i < 40; i++)
        host.addTool({
          name: `report_${i}`,
          description: `Builds report number ${i} of the quarter, with its totals and trends.`,
          handler: () => 'ok',
        });
      const { tools } = await t.client.listTools();
      const measured = measureDefinitions('catalogue', listedDefinitions(host), o200kCounter());
      return { tools: tools.map((tool) => tool.name), measured };
    } finally {
      await t.close();
    }
  };

  it('counts what tools/list sends: the meta-tools, not the catalogue behind them', async () => {
    const full = await measure('list');
    const progressive = await measure('progressive');
    expect(full.measured.kinds.tool.count).toBe(40);
    expect(progressive.measured.definitions.map((d) => d.name).sort()).toEqual(
      [...META_TOOL_NAMES].sort(),
    );
    expect(progressive.tools.sort()).toEqual([...META_TOOL_NAMES].sort());
    expect(progressive.measured.total).toBeLessThan(full.measured.total);
  });
});
