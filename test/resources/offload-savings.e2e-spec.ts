import { Injectable, Module } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args, McpModule, Tool } from '@rampart/core';
import { Offload, ResourcesModule } from '@rampart/resources';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { KEYS, memory, pageOf, HeaderAuth } from './resources.fixture';

/**
 * How much of the model's context an offload saves on large pages: the bytes of the tool result
 * with the whole page inline, against the offloaded answer (the preview of 500 characters, the
 * resource link and the structured content). It prints the figures quoted in docs/resources.md;
 * it asserts only that the saving is large, never a timing.
 */
const PAGES: Record<string, string> = {
  'docs/observability.md': readFileSync(resolve(__dirname, '../../docs/observability.md'), 'utf8'),
  'docs/resilience.md': readFileSync(resolve(__dirname, '../../docs/resilience.md'), 'utf8'),
  'a 50 KB page (the seed)': pageOf(50_000),
};

class PageName {
  @IsIn(Object.keys(PAGES))
  page!: string;
}

@Injectable()
class DocTools {
  @Tool({ name: 'inline' })
  inline(@Args() { page }: PageName) {
    return PAGES[page];
  }

  @Tool({ name: 'offloaded' })
  @Offload()
  offloaded(@Args() { page }: PageName) {
    return PAGES[page];
  }
}

@Module({
  imports: [
    McpModule.forRoot({ name: 'savings', version: '1.0.0' }),
    ResourcesModule.forRoot({ keys: KEYS }),
  ],
  providers: [DocTools, HeaderAuth],
})
class SavingsModule {}

/** Bytes of a tool result as JSON on the wire, without the server's `_meta`. */
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('context saved by offloading large pages', () => {
  let t: McpTestApp;
  beforeAll(async () => {
    memory.identity = { subject: 'alice', tenant: 'acme' };
    t = await createMcpTestApp({ imports: [SavingsModule] });
  });
  afterAll(async () => {
    memory.identity = undefined;
    await t.close();
  });

  it('keeps more than 90% of a large page out of the context', async () => {
    const rows: string[] = [];
    for (const page of Object.keys(PAGES)) {
      const { _meta: _a, ...inline } = await t.client.callTool({
        name: 'inline',
        arguments: { page },
      });
      const { _meta: _b, ...offloaded } = await t.client.callTool({
        name: 'offloaded',
        arguments: { page },
      });
      const full = bytesOf(inline);
      const whole = bytesOf(offloaded);
      const content = bytesOf(offloaded.content);
      const structured = bytesOf(offloaded.structuredContent);
      const saved = (n: number) => `${((1 - n / full) * 100).toFixed(1)}%`;
      rows.push(
        `| ${page} | ${full} | ${content} (${saved(content)}) | ${structured} (${saved(structured)}) | ${whole} (${saved(whole)}) |`,
      );
      expect(whole / full).toBeLessThan(0.1);
      // And the page is all there, for whoever reads the link.
      const uri = (offloaded.structuredContent as { resource_uri: string }).resource_uri;
      expect((await t.client.readResource({ uri })).contents[0]).toMatchObject({
        text: PAGES[page],
      });
    }
    console.log(
      [
        'Bytes of the tool result as JSON (saving against the page inline):',
        '| page | inline | offloaded: content blocks | offloaded: structuredContent | offloaded: whole result |',
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  });
});
