import { nestProject, runner } from './testing.fixture';

describe('the collection', () => {
  it('has the Rampart schematics, and those of @nestjs/schematics', () => {
    const collection = runner.engine.createCollection('@rampart/schematics');
    expect(collection.description.extends).toEqual(['@nestjs/schematics']);
    expect(collection.listSchematicNames()).toEqual(
      expect.arrayContaining(['application', 'tool', 'resource', 'prompt', 'server', 'service']),
    );
    expect(
      runner.engine.createSchematic('application', collection).collection.description.name,
    ).toBe('@rampart/schematics');
  });

  it('extends @nestjs/schematics, so nest g service works with this collection too', async () => {
    const tree = await runner.runSchematic('service', { name: 'billing' }, nestProject());
    expect(tree.exists('/src/billing/billing.service.ts')).toBe(true);
    expect(tree.readText('/src/app.module.ts')).toContain('providers: [BillingService]');
  });

  it.each([
    ['to', 'tool', '/src/lookup/lookup.tools.ts'],
    ['res', 'resource', '/src/lookup/lookup.resources.ts'],
    ['pro', 'prompt', '/src/lookup/lookup.prompts.ts'],
    ['srv', 'server', '/src/lookup/lookup.module.ts'],
  ])('runs %s as %s', async (alias, _schematic, file) => {
    const tree = await runner.runSchematic(alias, { name: 'lookup' }, nestProject());
    expect(tree.exists(file)).toBe(true);
  });
});
