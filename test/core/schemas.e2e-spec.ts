import { Injectable, Module } from '@nestjs/common';
import { z } from 'zod';
import { Args, McpModule, Tool } from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';

const Forecast = z.object({
  city: z.string().min(2),
  days: z.number().int().min(1).max(7).default(3),
});

@Injectable()
class SchemaTools {
  @Tool({ description: 'Forecast (zod input)', input: Forecast })
  forecast(@Args() input: z.infer<typeof Forecast>) {
    return `${input.city} for ${input.days} days`;
  }

  @Tool({
    description: 'Rename (JSON Schema input and output)',
    input: {
      type: 'object',
      properties: { from: { type: 'string' }, to: { type: 'string' } },
      required: ['from', 'to'],
    },
    output: { type: 'object', properties: { renamed: { type: 'boolean' } }, required: ['renamed'] },
  })
  rename(@Args() input: { from: string; to: string }) {
    return { renamed: input.from !== input.to };
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'schemas', version: '1' })],
  providers: [SchemaTools],
})
class SchemasModule {}

describe('tool schemas from zod and from JSON Schema', () => {
  let t: McpTestApp;
  beforeAll(async () => (t = await createMcpTestApp({ imports: [SchemasModule] })));
  afterAll(() => t.close());

  it('lists the JSON Schemas', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.find((x) => x.name === 'forecast')!.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city'],
    });
    expect(tools.find((x) => x.name === 'rename')!.outputSchema).toMatchObject({
      required: ['renamed'],
    });
  });

  it('validates with the zod schema and gives the tool its parsed value (defaults applied)', async () => {
    const ok = await t.client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } });
    expect(ok.content).toEqual([{ type: 'text', text: 'Oslo for 3 days' }]);
    const bad = await t.client.callTool({ name: 'forecast', arguments: { city: 'O', days: 9 } });
    expect(bad.isError).toBe(true);
    const body = JSON.parse((bad.content as { text: string }[])[0].text);
    expect(body.details.issues.map((i: { path: string }) => i.path)).toEqual(['city', 'days']);
  });

  it('validates with the JSON Schema and returns structured content', async () => {
    const ok = await t.client.callTool({ name: 'rename', arguments: { from: 'a', to: 'b' } });
    expect(ok.structuredContent).toEqual({ renamed: true });
    const bad = await t.client.callTool({ name: 'rename', arguments: { from: 'a' } });
    expect(bad.isError).toBe(true);
  });
});
