import { basename, join, normalize, type Path } from '@angular-devkit/core';
import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { MetadataManager, ModuleDeclarator, ModuleFinder } from '@nestjs/schematics';
import { MODULE_NOT_FOUND, NOT_DECLARED, NO_MODULE_ABOVE } from './messages.constant';

/** What to register in which module. */
export interface Registration {
  /** The class: `SearchDocsTools`. */
  className: string;
  /** Folder of the file that declares it: `/src/search-docs`. */
  directory: Path;
  /** Its file, without role and extension: `search-docs`. */
  fileName: string;
  /** Role of its file: `tools` for `search-docs.tools.ts`. */
  type: string;
  /** Where in `@Module({ ... })` it goes. */
  metadata: 'providers' | 'imports';
  /**
   * The module file (see {@link findModule}). Unset: the nearest `*.module.ts` in `directory` or
   * above it.
   */
  module?: Path;
}

/**
 * Adds the class to the `providers` (or `imports`) of a module and imports its file there, with
 * `@nestjs/schematics`' own `ModuleDeclarator` (as `nest g service` does); throws a
 * `SchematicsException` when there is no such module, or no `@Module({ ... })` in it.
 */
export function registerInModule(registration: Registration): Rule {
  return (tree: Tree) => {
    const module = registration.module ?? findAbove(tree, registration);
    const content = tree.readText(module);
    if (
      new MetadataManager(content).insert(registration.metadata, registration.className) ===
      undefined
    )
      throw new SchematicsException(
        NOT_DECLARED(registration.className, module, registration.metadata),
      );
    const declared = new ModuleDeclarator().declare(content, {
      metadata: registration.metadata,
      type: registration.type,
      name: registration.fileName,
      className: registration.className,
      path: registration.directory,
      module,
    });
    tree.overwrite(module, declared);
    return tree;
  };
}

function findAbove(tree: Tree, registration: Registration): Path {
  const found = new ModuleFinder(tree).find({ path: registration.directory });
  if (!found)
    throw new SchematicsException(NO_MODULE_ABOVE(registration.className, registration.directory));
  return found;
}

/**
 * The module that `--module` names: a module file (`src/billing/billing.module.ts`), its name
 * (`billing`) or its folder (`src/billing`), from the source root or from the project root;
 * throws a `SchematicsException` listing where it looked when there is none.
 */
export function findModule(tree: Tree, module: string, sourceRoot: Path): Path {
  const given = normalize(module.replace(/\.ts$/, ''));
  const bases = [...new Set([join(sourceRoot, given), normalize(`/${given}`)])];
  const tried = bases.flatMap((base) =>
    base.endsWith('.module')
      ? [`${base}.ts`]
      : [`${base}.module.ts`, join(base, `${basename(base)}.module.ts`)],
  );
  const found = tried.find((candidate) => tree.exists(candidate));
  if (!found) throw new SchematicsException(MODULE_NOT_FOUND(module, [...new Set(tried)]));
  return normalize(found);
}
