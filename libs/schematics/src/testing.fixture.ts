import { Tree } from '@angular-devkit/schematics';
import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { join } from 'node:path';

/** The collection as `nest g -c @rampart/schematics` loads it (from src/, through ts-jest). */
export const runner = new SchematicTestRunner(
  '@rampart/schematics',
  join(__dirname, 'collection.json'),
);

/** The app module of {@link nestProject}. */
export const APP_MODULE = `import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';

@Module({
  imports: [McpModule.forRoot({ name: 'shop', version: '1.2.3' })],
})
export class AppModule {}
`;

/**
 * A Nest project as `nest g` finds it: nest-cli.json, package.json (with `dependencies`), and
 * src/app.module.ts.
 */
export function nestProject(dependencies: Record<string, string> = {}): UnitTestTree {
  const tree = new UnitTestTree(Tree.empty());
  tree.create(
    '/nest-cli.json',
    JSON.stringify({ collection: '@rampart/schematics', sourceRoot: 'src' }),
  );
  tree.create('/package.json', JSON.stringify({ name: 'shop', version: '1.2.3', dependencies }));
  tree.create('/src/app.module.ts', APP_MODULE);
  return tree;
}
