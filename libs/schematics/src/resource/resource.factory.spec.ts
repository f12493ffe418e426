import { nestProject, runner } from '../testing.fixture';

describe('resource', () => {
  it('creates a resource template NAME://{id} and its spec, registered in the app module', async () => {
    const tree = await runner.runSchematic(
      'resource',
      { name: 'notes', description: 'Notes by id.' },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.startsWith('/src/notes/'))).toEqual([
      '/src/notes/notes.resources.spec.ts',
      '/src/notes/notes.resources.ts',
    ]);
    expect(tree.readText('/src/notes/notes.resources.ts'))
      .toBe(`import { Injectable } from '@nestjs/common';
import {
  Args,
  JsonRpcErrorCode,
  McpProtocolError,
  ResourceTemplate,
} from '@rampart/core';

@Injectable()
export class NotesResources {
  private readonly entries = new Map<string, string>([
    ['example', 'An example entry.'],
  ]);

  @ResourceTemplate({
    uriTemplate: 'notes://{id}',
    name: 'notes',
    description: 'Notes by id.',
    mimeType: 'text/plain',
  })
  notes(@Args('id') id: string): string {
    const entry = this.entries.get(id);
    if (entry === undefined)
      throw new McpProtocolError(
        JsonRpcErrorCode.ResourceNotFound,
        \`Resource not found: notes://\${id}\`,
      );
    return entry;
  }
}
`);
    expect(tree.readText('/src/app.module.ts')).toContain(
      `import { NotesResources } from './notes/notes.resources';`,
    );
    expect(tree.readText('/src/app.module.ts')).toContain('  providers: [NotesResources],\n');
  });

  it('writes a spec that lists the template, reads an entry and a missing one', async () => {
    const tree = await runner.runSchematic('resource', { name: 'notes' }, nestProject());
    expect(tree.readText('/src/notes/notes.resources.spec.ts'))
      .toBe(`import { JsonRpcErrorCode, McpModule } from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { NotesResources } from './notes.resources';

describe('NotesResources', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [McpModule.forRoot({ name: 'test', version: '0.0.0' })],
      providers: [NotesResources],
    });
  });

  afterAll(() => t.close());

  it('declares the notes://{id} template', async () => {
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates).toContainEqual(
      expect.objectContaining({
        name: 'notes',
        uriTemplate: 'notes://{id}',
      }),
    );
  });

  it('reads an entry by its URI', async () => {
    const { contents } = await t.client.readResource({
      uri: 'notes://example',
    });
    expect(contents).toEqual([
      {
        uri: 'notes://example',
        mimeType: 'text/plain',
        text: 'An example entry.',
      },
    ]);
  });

  it('answers an unknown id with resource not found', async () => {
    await expect(
      t.client.readResource({ uri: 'notes://missing' }),
    ).rejects.toMatchObject({ code: JsonRpcErrorCode.ResourceNotFound });
  });
});
`);
  });

  it('names a two-word resource: scheme in kebab-case, name in snake_case, method in camelCase', async () => {
    const tree = await runner.runSchematic(
      'resource',
      { name: 'UserProfiles', server: 'accounts' },
      nestProject(),
    );
    const source = tree.readText('/src/user-profiles/user-profiles.resources.ts');
    expect(source).toContain(`export class UserProfilesResources {`);
    expect(source).toContain(`    uriTemplate: 'user-profiles://{id}',
    name: 'user_profiles',
    server: 'accounts',
    description:
      'Entries of user-profiles by id. Say here what they are: the model reads this.',
`);
    expect(source).toContain(`  userProfiles(@Args('id') id: string): string {`);
    expect(tree.readText('/src/user-profiles/user-profiles.resources.spec.ts')).toContain(
      `McpModule.forRoot({ name: 'accounts', version: '0.0.0' })`,
    );
  });

  it('refuses a name that is not a URI scheme', async () => {
    await expect(
      runner.runSchematic('resource', { name: '9lives' }, nestProject()),
    ).rejects.toThrow('"9lives" is not a valid name');
  });
});
