import { Injectable, Module } from '@nestjs/common';
import { ArrayMaxSize, IsIn } from 'class-validator';
import { z } from 'zod';
import { Args, MAX_DTO_OBJECT_KEYS, MAX_REPORTED_ISSUES, McpModule, Tool } from '@rampart/core';
import { createMcpTestApp, toolText, type McpTestApp } from '@rampart/testing';

const COLUMNS = ['id', 'name', 'price'];

class ExportInput {
  @ArrayMaxSize(100_000)
  @IsIn(COLUMNS, { each: true })
  columns!: string[];
}

@Injectable()
class ExportTools {
  @Tool({ description: 'Export (DTO input)' })
  exportDto(@Args() input: ExportInput) {
    return input.columns.join(',');
  }

  @Tool({
    description: 'Export (JSON Schema input)',
    input: {
      type: 'object',
      properties: { columns: { type: 'array', items: { enum: COLUMNS } } },
      required: ['columns'],
    },
  })
  exportJson(@Args() input: { columns: string[] }) {
    return input.columns.join(',');
  }

  @Tool({
    description: 'Export (zod input)',
    input: z.object({ columns: z.array(z.enum(['id', 'name', 'price'])) }),
  })
  exportZod(@Args() input: { columns: string[] }) {
    return input.columns.join(',');
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'validation-limits', version: '1' })],
  providers: [ExportTools],
})
class ValidationLimitsModule {}

describe('INVALID_ARGUMENTS reports a bounded number of issues', () => {
  let t: McpTestApp;
  beforeAll(async () => (t = await createMcpTestApp({ imports: [ValidationLimitsModule] })));
  afterAll(() => t.close());

  it.each(['exportDto', 'exportJson', 'exportZod'])(
    'answers the first issues and how many there were (%s)',
    async (name) => {
      // The attack: 5,000 bad elements, each an issue. Every issue was in the message and in
      // the details: a 40 KB request made an answer of megabytes, built on the event loop.
      const columns = Array.from({ length: 5_000 }, (_, i) => `bad${i}`);
      const result = await t.client.callTool({ name, arguments: { columns } });
      expect(result.isError).toBe(true);
      const text = toolText(result);
      const body = JSON.parse(text) as {
        code: string;
        message: string;
        details: { issues: { path: string }[]; totalIssues: number };
      };
      expect(body.code).toBe('INVALID_ARGUMENTS');
      expect(body.details.issues).toHaveLength(MAX_REPORTED_ISSUES);
      expect(body.details.issues[0].path).toMatch(/^columns(\[0\]|\.0)?$/);
      expect(body.details.totalIssues).toBeGreaterThanOrEqual(5_000);
      expect(body.message).toMatch(
        new RegExp(`; and ${body.details.totalIssues - MAX_REPORTED_ISSUES} more$`),
      );
      expect(text.length).toBeLessThan(10_000);
    },
  );

  it('reports every issue when there are at most 20', async () => {
    const result = await t.client.callTool({
      name: 'exportJson',
      arguments: { columns: ['id', 'bad1', 'bad2'] },
    });
    const body = JSON.parse(toolText(result)) as {
      message: string;
      details: { issues: unknown[]; totalIssues?: number };
    };
    expect(body.details.issues).toHaveLength(2);
    expect(body.details).not.toHaveProperty('totalIssues');
    expect(body.message).not.toContain('more');
  });
});

describe('DTO tools refuse an object of more than 1,000 properties', () => {
  let t: McpTestApp;
  beforeAll(async () => (t = await createMcpTestApp({ imports: [ValidationLimitsModule] })));
  afterAll(() => t.close());

  const junk = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`junk${i}`, i]));

  it('before class-transformer reads it, naming where', async () => {
    // The attack: one object of 96,000 undeclared keys (800 KB). class-transformer, which turns
    // the arguments into the DTO before validation strips them, spent 5.6 s on its keys.
    const top = await t.client.callTool({
      name: 'exportDto',
      arguments: { columns: ['id'], ...junk(96_000) },
    });
    expect(JSON.parse(toolText(top))).toMatchObject({
      code: 'INVALID_ARGUMENTS',
      details: {
        issues: [
          {
            path: '',
            message: `arguments has 96001 properties; at most ${MAX_DTO_OBJECT_KEYS} are accepted`,
          },
        ],
      },
    });
    const nested = await t.client.callTool({
      name: 'exportDto',
      arguments: { columns: ['id'], options: [{}, { extra: junk(1_001) }] },
    });
    expect(JSON.parse(toolText(nested))).toMatchObject({
      details: { issues: [{ path: 'options[1].extra', constraint: 'maxProperties' }] },
    });
  });

  it('and accepts one of 1,000, of which the tool gets what it declares', async () => {
    const result = await t.client.callTool({
      name: 'exportDto',
      arguments: { columns: ['id', 'name'], ...junk(MAX_DTO_OBJECT_KEYS - 1) },
    });
    expect(result.isError).toBeFalsy();
    expect(toolText(result)).toBe('id,name');
  });
});
