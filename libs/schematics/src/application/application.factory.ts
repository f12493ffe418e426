import { join, normalize } from '@angular-devkit/core';
import {
  SchematicsException,
  apply,
  applyTemplates,
  chain,
  filter,
  mergeWith,
  move,
  noop,
  schematic,
  url,
  type Rule,
} from '@angular-devkit/schematics';
import { formatFiles, normalizeToKebabOrSnakeCase } from '@nestjs/schematics';
import { basename } from 'node:path';
import { INVALID_TRANSPORT, TYPESCRIPT_ONLY } from '../utils/messages.constant';
import { packageNames, tsString } from '../utils/names';
import { rampartVersion } from '../utils/versions';
import type { ToolOptions } from '../tool/tool-options.interface';
import type { ApplicationOptions, Transport } from './application-options.interface';
import { packageJson } from './package-json';

const TRANSPORTS: Transport[] = ['http', 'stdio', 'both'];

/**
 * `nest new NAME -c @rampart/schematics`: a Rampart MCP server app in `NAME/` — `McpModule` on
 * the chosen transport (with `ResilienceModule` and `ObservabilityModule` unless turned off),
 * the `echo` tool made by the `tool` schematic, its spec and an end-to-end spec, a README that
 * opens with the two commands, a Dockerfile, tsconfig, Jest, nest-cli.json naming this collection.
 */
export function main(options: ApplicationOptions): Rule {
  if (options.language !== undefined && !['ts', 'typescript'].includes(options.language))
    throw new SchematicsException(TYPESCRIPT_ONLY(options.language));
  const transport = options.transport ?? 'both';
  if (!TRANSPORTS.includes(transport)) throw new SchematicsException(INVALID_TRANSPORT(transport));
  // As @nestjs/schematics' application: `MyServer` becomes my-server, `.` the current folder.
  const name = normalizeToKebabOrSnakeCase(String(options.name));
  const { packageName, baseName } =
    name === '.' ? packageNames(basename(process.cwd())) : packageNames(name);
  const directory =
    options.directory && options.directory !== 'undefined' ? options.directory : name;
  const spec = options.spec !== false && options.skipTests !== true;
  const resilience = options.resilience ?? true;
  const observability = options.observability ?? true;
  const version = options.version ?? '0.0.1';
  const source = normalize(join(normalize(`/${directory}`), 'src'));

  const variables = {
    packageName,
    serverName: baseName,
    version,
    http: transport !== 'stdio',
    stdio: transport !== 'http',
    both: transport === 'both',
    resilience,
    observability,
    strict: options.strict ?? true,
    spec,
    // Keeps the server's call log lines out of the test output.
    jestSetup: spec && observability,
    literal: tsString,
    dot: '.',
  };
  const tool: ToolOptions = {
    name: 'echo',
    path: source,
    sourceRoot: '/',
    module: join(source, 'app.module.ts'),
    description: 'Returns the text it is given.',
    resilience,
    spec,
  };

  return chain([
    mergeWith(
      apply(url('./files'), [
        spec ? noop() : filter((path) => !path.endsWith('spec.ts.template')),
        variables.jestSetup ? noop() : filter((path) => !path.endsWith('jest.setup.ts.template')),
        applyTemplates(variables),
        move(directory),
      ]),
    ),
    (tree) => {
      tree.create(
        join(normalize(`/${directory}`), 'package.json'),
        packageJson({
          packageName,
          version,
          description: options.description ?? '',
          transport,
          resilience,
          observability,
          spec,
          rampartVersion: rampartVersion(),
        }),
      );
      return tree;
    },
    schematic('tool', tool),
    options.format ? formatFiles() : noop(),
  ]);
}
