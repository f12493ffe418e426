import type { Rule } from '@angular-devkit/schematics';
import { partRule } from '../utils/part.factory';
import type { PrimitivePartOptions } from '../utils/part-options.interface';

/**
 * `prompt NAME`: a provider with one `@Prompt` method and the class of its arguments
 * (`<name>.prompts.ts`, `<name>.prompts.spec.ts`), registered in the nearest module.
 */
export function main(options: PrimitivePartOptions): Rule {
  return partRule(
    options,
    { type: 'prompts', classSuffix: 'Prompts', metadata: 'providers' },
    (names) => ({
      description:
        options.description ??
        `Say here what ${names.mcpName} asks the model to do: the client shows this.`,
      server: options.server,
    }),
  );
}
