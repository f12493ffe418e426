import type { Rule } from '@angular-devkit/schematics';
import { partRule } from '../utils/part.factory';
import type { PrimitivePartOptions } from '../utils/part-options.interface';

/**
 * `resource NAME`: a provider with one `@ResourceTemplate` method, `NAME://{id}`
 * (`<name>.resources.ts`, `<name>.resources.spec.ts`), registered in the nearest module.
 */
export function main(options: PrimitivePartOptions): Rule {
  return partRule(
    options,
    { type: 'resources', classSuffix: 'Resources', metadata: 'providers' },
    (names) => ({
      description:
        options.description ??
        `Entries of ${names.fileName} by id. Say here what they are: the model reads this.`,
      server: options.server,
    }),
  );
}
