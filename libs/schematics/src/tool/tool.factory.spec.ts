import { APP_MODULE, nestProject, runner } from '../testing.fixture';

const TOOLS = `import { Injectable } from '@nestjs/common';
import { Args, Tool } from '@rampart/core';
import { SearchDocsInput } from './search-docs.dto';

@Injectable()
export class SearchDocsTools {
  @Tool({
    name: 'search_docs',
    description: 'Searches the docs.',
    annotations: { readOnlyHint: true },
  })
  searchDocs(@Args() input: SearchDocsInput): string {
    return input.text;
  }
}
`;

describe('tool', () => {
  it('creates the tool, its DTO and its spec in src/<name>/ and registers it in the app module', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', description: 'Searches the docs.' },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.startsWith('/src/search-docs/'))).toEqual([
      '/src/search-docs/search-docs.dto.ts',
      '/src/search-docs/search-docs.tools.spec.ts',
      '/src/search-docs/search-docs.tools.ts',
    ]);
    expect(tree.readText('/src/search-docs/search-docs.tools.ts')).toBe(TOOLS);
    expect(tree.readText('/src/app.module.ts')).toBe(`import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { SearchDocsTools } from './search-docs/search-docs.tools';

@Module({
  imports: [McpModule.forRoot({ name: 'shop', version: '1.2.3' })],
  providers: [SearchDocsTools],
})
export class AppModule {}
`);
  });

  it('writes the DTO that gives the input schema', async () => {
    const tree = await runner.runSchematic('tool', { name: 'search-docs' }, nestProject());
    expect(tree.readText('/src/search-docs/search-docs.dto.ts'))
      .toBe(`import { JSONSchema } from '@rampart/core';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Arguments of the \`search_docs\` tool: its input schema is generated from this class. */
export class SearchDocsInput {
  @JSONSchema({ description: 'The text to work on.' })
  @IsString()
  @MinLength(1)
  @MaxLength(10_000)
  text!: string;
}
`);
  });

  it('writes a spec that lists the tool, calls it and has its DTO refuse bad arguments', async () => {
    const tree = await runner.runSchematic('tool', { name: 'search-docs' }, nestProject());
    expect(tree.readText('/src/search-docs/search-docs.tools.spec.ts'))
      .toBe(`import { McpModule } from '@rampart/core';
import {
  createMcpTestApp,
  toolError,
  toolText,
  type McpTestApp,
} from '@rampart/testing';
import { SearchDocsTools } from './search-docs.tools';

describe('SearchDocsTools', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [McpModule.forRoot({ name: 'test', version: '0.0.0' })],
      providers: [SearchDocsTools],
    });
  });

  afterAll(() => t.close());

  it('declares search_docs with the input schema of its DTO', async () => {
    const { tools } = await t.client.listTools();
    const tool = tools.find((entry) => entry.name === 'search_docs');
    expect(tool?.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 } },
      required: ['text'],
    });
  });

  it('returns the text', async () => {
    const result = await t.client.callTool({
      name: 'search_docs',
      arguments: { text: 'hello' },
    });
    expect(toolText(result)).toBe('hello');
  });

  it('refuses arguments that its DTO rejects', async () => {
    const result = await t.client.callTool({
      name: 'search_docs',
      arguments: { text: '' },
    });
    expect(toolError(result)).toMatchObject({ code: 'INVALID_ARGUMENTS' });
  });
});
`);
  });

  it.each(['searchDocs', 'search_docs', 'SearchDocs', 'Search Docs'])(
    'reads %p as search-docs',
    async (name) => {
      const tree = await runner.runSchematic(
        'tool',
        { name, description: 'Searches the docs.' },
        nestProject(),
      );
      expect(tree.readText('/src/search-docs/search-docs.tools.ts')).toBe(TOOLS);
    },
  );

  it('puts @RateLimit and @Timeout on the tool when the project depends on @rampart/resilience', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', description: 'Searches the docs.' },
      nestProject({ '@rampart/resilience': '0.1.0' }),
    );
    expect(tree.readText('/src/search-docs/search-docs.tools.ts'))
      .toBe(`import { Injectable } from '@nestjs/common';
import { Args, Tool } from '@rampart/core';
import { RateLimit, Timeout } from '@rampart/resilience';
import { SearchDocsInput } from './search-docs.dto';

@Injectable()
export class SearchDocsTools {
  @Tool({
    name: 'search_docs',
    description: 'Searches the docs.',
    annotations: { readOnlyHint: true },
  })
  @RateLimit({ points: 60, perMs: 60_000 })
  @Timeout(5_000)
  searchDocs(@Args() input: SearchDocsInput): string {
    return input.text;
  }
}
`);
    const without = await runner.runSchematic(
      'tool',
      { name: 'search-docs', description: 'Searches the docs.', resilience: false },
      nestProject({ '@rampart/resilience': '0.1.0' }),
    );
    expect(without.readText('/src/search-docs/search-docs.tools.ts')).toBe(TOOLS);
  });

  it('puts the tool on one server with --server, and tests it on that server', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', description: 'Searches the docs.', server: 'billing' },
      nestProject(),
    );
    expect(tree.readText('/src/search-docs/search-docs.tools.ts')).toContain(
      `  @Tool({
    name: 'search_docs',
    server: 'billing',
    description: 'Searches the docs.',
`,
    );
    expect(tree.readText('/src/search-docs/search-docs.tools.spec.ts')).toContain(
      `imports: [McpModule.forRoot({ name: 'billing', version: '0.0.0' })],`,
    );
  });

  it('quotes the description as a TypeScript string, and wraps a long one as Prettier does', async () => {
    const quoted = await runner.runSchematic(
      'tool',
      { name: 'search-docs', description: `Searches the docs' index\\pages` },
      nestProject(),
    );
    expect(quoted.readText('/src/search-docs/search-docs.tools.ts')).toContain(
      `    description: "Searches the docs' index\\\\pages",\n`,
    );
    const long = await runner.runSchematic('tool', { name: 'search-docs' }, nestProject());
    expect(long.readText('/src/search-docs/search-docs.tools.ts')).toContain(
      `    description:
      'Returns its text. Say here what search_docs does, its limits and side effects: the model reads this.',
`,
    );
  });

  it('creates a NAME with a path there, registered in the nearest module above it', async () => {
    const project = nestProject();
    project.create(
      '/src/admin/admin.module.ts',
      `import { Module } from '@nestjs/common';\n\n@Module({})\nexport class AdminModule {}\n`,
    );
    const tree = await runner.runSchematic('tool', { name: 'admin/search-docs' }, project);
    expect(tree.exists('/src/admin/search-docs/search-docs.tools.ts')).toBe(true);
    expect(tree.readText('/src/admin/admin.module.ts'))
      .toBe(`import { Module } from '@nestjs/common';
import { SearchDocsTools } from './search-docs/search-docs.tools';

@Module({
  providers: [SearchDocsTools]
})
export class AdminModule {}
`);
    expect(tree.readText('/src/app.module.ts')).toBe(APP_MODULE);
  });

  it.each([
    ['its file', 'src/billing/billing.module.ts'],
    ['its name', 'billing'],
    ['its folder', 'src/billing'],
  ])(
    'registers the tool in the module that --module names by %s, beside it',
    async (_how, module) => {
      const project = nestProject();
      project.create(
        '/src/billing/billing.module.ts',
        `import { Module } from '@nestjs/common';\n\n@Module({ providers: [] })\nexport class BillingModule {}\n`,
      );
      const tree = await runner.runSchematic('tool', { name: 'invoice', module }, project);
      expect(tree.exists('/src/billing/invoice/invoice.tools.ts')).toBe(true);
      expect(tree.readText('/src/billing/billing.module.ts'))
        .toBe(`import { Module } from '@nestjs/common';
import { InvoiceTools } from './invoice/invoice.tools';

@Module({ providers: [InvoiceTools] })
export class BillingModule {}
`);
    },
  );

  it('with --path and --module, creates the tool at the path and imports it from there', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'invoice', path: 'tools', module: 'app' },
      nestProject(),
    );
    expect(tree.exists('/src/tools/invoice/invoice.tools.ts')).toBe(true);
    expect(tree.readText('/src/app.module.ts')).toContain(
      `import { InvoiceTools } from './tools/invoice/invoice.tools';`,
    );
  });

  it('--flat puts the files in the path itself', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', flat: true },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.includes('search-docs'))).toEqual([
      '/src/search-docs.dto.ts',
      '/src/search-docs.tools.spec.ts',
      '/src/search-docs.tools.ts',
    ]);
    expect(tree.readText('/src/app.module.ts')).toContain(
      `import { SearchDocsTools } from './search-docs.tools';`,
    );
  });

  it.each([{ spec: false }, { skipTests: true }])('%p leaves the spec out', async (option) => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', ...option },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.includes('search-docs'))).toEqual([
      '/src/search-docs/search-docs.dto.ts',
      '/src/search-docs/search-docs.tools.ts',
    ]);
  });

  it('--skip-import leaves the modules alone', async () => {
    const tree = await runner.runSchematic(
      'tool',
      { name: 'search-docs', skipImport: true },
      nestProject(),
    );
    expect(tree.exists('/src/search-docs/search-docs.tools.ts')).toBe(true);
    expect(tree.readText('/src/app.module.ts')).toBe(APP_MODULE);
  });

  it('takes the options nest g passes (source root, spec file suffix, language, format)', async () => {
    const project = nestProject();
    project.create('/lib/lib.module.ts', `@Module({})\nexport class LibModule {}\n`);
    const tree = await runner.runSchematic(
      'tool',
      {
        name: 'search-docs',
        sourceRoot: 'lib',
        specFileSuffix: 'test',
        spec: true,
        flat: false,
        language: 'ts',
        format: false,
        collection: '@rampart/schematics',
      },
      project,
    );
    expect(tree.files.filter((f) => f.includes('search-docs'))).toEqual([
      '/lib/search-docs/search-docs.dto.ts',
      '/lib/search-docs/search-docs.tools.test.ts',
      '/lib/search-docs/search-docs.tools.ts',
    ]);
    expect(tree.readText('/lib/lib.module.ts')).toContain('providers: [SearchDocsTools]');
  });

  it.each(['1st-tool', 'search!', '-', 'constructor'])('refuses the name %p', async (name) => {
    await expect(runner.runSchematic('tool', { name }, nestProject())).rejects.toThrow(
      `"${name}" is not a valid name: use letters, digits and dashes, starting with a letter (e.g. search-docs)`,
    );
  });

  it('says where it looked when --module names no module', async () => {
    await expect(
      runner.runSchematic('tool', { name: 'invoice', module: 'billing' }, nestProject()),
    ).rejects.toThrow(
      'Module "billing" was not found (looked for /src/billing.module.ts, /src/billing/billing.module.ts, /billing.module.ts, /billing/billing.module.ts): pass --module with the path of a *.module.ts file, or --skip-import',
    );
  });

  it('refuses to create a tool that no module would provide', async () => {
    const project = nestProject();
    project.delete('/src/app.module.ts');
    await expect(runner.runSchematic('tool', { name: 'invoice' }, project)).rejects.toThrow(
      'No *.module.ts file in /src/invoice or above it to register InvoiceTools in: pass --module with the path of one, or --skip-import',
    );
  });

  it('refuses a module without @Module({ ... })', async () => {
    const project = nestProject();
    project.overwrite('/src/app.module.ts', 'export class AppModule {}\n');
    await expect(runner.runSchematic('tool', { name: 'invoice' }, project)).rejects.toThrow(
      'Could not add InvoiceTools to the providers of /src/app.module.ts: it has no @Module({ ... }) decorator with an object literal',
    );
  });

  it('refuses JavaScript', async () => {
    await expect(
      runner.runSchematic('tool', { name: 'invoice', language: 'js' }, nestProject()),
    ).rejects.toThrow(
      'Rampart servers are written in TypeScript: language "js" is not supported (leave it out, or pass ts)',
    );
  });
});
