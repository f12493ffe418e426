import type { Rule } from '@angular-devkit/schematics';
import { dependsOn, partRule } from '../utils/part.factory';
import type { ToolOptions } from './tool-options.interface';

/**
 * `tool NAME`: a provider with one `@Tool` method and the DTO of its arguments
 * (`<name>.tools.ts`, `<name>.dto.ts`, `<name>.tools.spec.ts`), registered in the nearest module.
 */
export function main(options: ToolOptions): Rule {
  return partRule(
    options,
    { type: 'tools', classSuffix: 'Tools', metadata: 'providers' },
    (names, tree) => ({
      description:
        options.description ??
        `Returns its text. Say here what ${names.mcpName} does, its limits and side effects: the model reads this.`,
      server: options.server,
      resilience: options.resilience ?? dependsOn(tree, '@rampart/resilience'),
    }),
  );
}
