import { dirname, join, normalize, strings, type Path } from '@angular-devkit/core';
import {
  SchematicsException,
  apply,
  applyTemplates,
  chain,
  filter,
  mergeWith,
  move,
  noop,
  url,
  type Rule,
  type Tree,
} from '@angular-devkit/schematics';
import { NameParser, formatFiles, isInRootDirectory } from '@nestjs/schematics';
import { TYPESCRIPT_ONLY } from './messages.constant';
import { findModule, registerInModule } from './module-registration';
import { partNames, tsProperty, tsString, type PartNames } from './names';
import type { PartOptions } from './part-options.interface';

/** What kind of part a schematic makes. */
export interface PartKind {
  /** Role of the main file, and of the class: `tools` gives `search-docs.tools.ts`. */
  type: string;
  /** Suffix of the class: `Tools` gives `SearchDocsTools`. */
  classSuffix: string;
  /** Where the class goes in the module: a provider, or an imported module. */
  metadata: 'providers' | 'imports';
}

/** What every part template gets, besides the schematic's own variables. */
export interface PartTemplateVariables extends PartNames {
  /** `SearchDocsTools`. */
  partClassName: string;
  /** `spec`, or the `specFileSuffix` option. */
  specFileSuffix: string;
  /** A string as a TypeScript literal. */
  literal: (value: string) => string;
  /** `key: 'value',` at an indentation, as Prettier prints it. */
  property: (key: string, value: string, indent: number) => string;
}

/**
 * The rule shared by `tool`, `resource`, `prompt` and `server`: files from the schematic's
 * `files/` folder (`*.template`, with `__fileName__` and `__specFileSuffix__` in their names),
 * in `<source root>/<path>/<name>/` (or `<path>/` with `flat`), and the class registered in the
 * nearest module (or `module`).
 */
export function partRule(
  options: PartOptions,
  kind: PartKind,
  variables: (names: PartNames, tree: Tree) => Record<string, unknown>,
): Rule {
  if (options.language !== undefined && !['ts', 'typescript'].includes(options.language))
    throw new SchematicsException(TYPESCRIPT_ONLY(options.language));
  const location = new NameParser().parse({ name: options.name, path: options.path });
  const names = partNames(location.name);
  const specFileSuffix = strings.dasherize(options.specFileSuffix || 'spec');
  const spec = options.spec !== false && options.skipTests !== true;
  const partClassName = `${names.className}${kind.classSuffix}`;

  return (tree) => {
    const inProject = isInRootDirectory(tree, ['tsconfig.json', 'package.json']);
    const sourceRoot = normalize(`/${inProject ? (options.sourceRoot ?? 'src') : ''}`);
    const module =
      options.skipImport || options.module === undefined
        ? undefined
        : findModule(tree, options.module, sourceRoot);
    // Beside the module it is registered in, unless a path says where.
    const base =
      module && options.path === undefined && !options.name.includes('/')
        ? dirname(module)
        : join(sourceRoot, location.path);
    const directory: Path = options.flat ? base : join(base, names.fileName);
    const templateVariables: PartTemplateVariables = {
      ...names,
      partClassName,
      specFileSuffix,
      literal: tsString,
      property: tsProperty,
    };
    return chain([
      options.skipImport
        ? noop()
        : registerInModule({
            className: partClassName,
            directory,
            fileName: names.fileName,
            type: kind.type,
            metadata: kind.metadata,
            module,
          }),
      mergeWith(
        apply(url('./files'), [
          spec ? noop() : filter((path) => !path.endsWith('.__specFileSuffix__.ts.template')),
          applyTemplates({ ...templateVariables, ...variables(names, tree) }),
          move(directory),
        ]),
      ),
      options.format ? formatFiles() : noop(),
    ]);
  };
}

/** The project's package.json, or `undefined` outside a project. */
export function readPackageJson(tree: Tree): PackageJson | undefined {
  const text = tree.exists('package.json') ? tree.readText('package.json') : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The fields of a package.json that the schematics read. */
export interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Whether the project depends on a package. */
export function dependsOn(tree: Tree, name: string): boolean {
  const manifest = readPackageJson(tree);
  return Boolean(manifest?.dependencies?.[name] ?? manifest?.devDependencies?.[name]);
}
