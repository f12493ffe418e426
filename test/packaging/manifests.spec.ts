import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';
import {
  isBare,
  type Lib,
  type LibManifest,
  optionalPeers,
  packageOf,
  REPO_ROOT,
  workspaceLibs,
} from './libs';

/**
 * Each lib's package.json, checked against the lib's own code and build: what a user's
 * `npm install @rampart/<lib>` gets. `npm run test:packaging` packs and installs them for real.
 */

const LIBS = workspaceLibs();

/** Peers of every lib: the user's app has one Nest, and every lib uses it. */
const NEST_PEERS: Record<string, string> = {
  '@nestjs/common': '^12.0.0',
  '@nestjs/core': '^12.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
};

/**
 * Packages that only some features need (shared state in Redis, the PostgreSQL audit sink, an
 * OpenTelemetry SDK, BullMQ, the Fastify adapter): a lib that uses one declares it as an optional
 * peer and loads it where it is first needed.
 */
const OPTIONAL_INTEGRATIONS = [
  /^ioredis$/,
  /^pg$/,
  /^bullmq$/,
  /^@opentelemetry\/(sdk-|exporter-|instrumentation)/,
  /^@nestjs\/platform-fastify$/,
];

/**
 * The oldest Node the libs run on: 22.12 loads ES modules with `require()` without a flag (Nest 12
 * and the MCP SDK are ES modules; the libs are CommonJS), and the libs' dependencies ask for no
 * more (checked below). Node 20 is out of support.
 */
const NODE_FLOOR = '22.12.0';

const builtins = builtinModules.filter((name) => !name.startsWith('_'));

type ReferenceKind = 'value' | 'type' | 'dynamic';
interface Reference {
  specifier: string;
  kind: ReferenceKind;
  file: string;
}

/** The lib's source files, without specs. */
function sourceFiles(lib: Lib): string[] {
  return (readdirSync(join(lib.root, 'src'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => join(lib.root, 'src', file));
}

/** The public types the lib ships: every `.d.ts` of its build. */
function declarationFiles(lib: Lib): string[] {
  return (readdirSync(join(lib.root, 'dist'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => join(lib.root, 'dist', file));
}

/**
 * Every module a source file refers to, and how: a value import, `require()` or re-export loads
 * it when the file loads; `import type`, `import('x').T` types and specifiers that are all
 * `type` are erased; `import('x')` calls load it when they run.
 */
function sourceReferences(file: string): Reference[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: Reference[] = [];
  const add = (node: ts.Node | undefined, kind: ReferenceKind) => {
    if (node && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, kind, file });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!bindings &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'value');
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'value');
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node.moduleReference.expression, 'value');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, 'type');
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'dynamic');
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require')
        add(node.arguments[0], 'value');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every module a declaration file refers to (imports, `import('x')` types, type references). */
function declarationReferences(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return [
    ...info.importedFiles.map((ref) => ref.fileName),
    ...info.typeReferenceDirectives.map((ref) => ref.fileName),
  ];
}

const declared = (m: LibManifest) => ({ ...m.dependencies, ...m.peerDependencies });

/** The lowest version a semver range admits (`^20.19.0 || >=22` → `20.19.0`), as numbers. */
function floorOf(range: string): number[] {
  const floors = range.split('||').map((alternative) => {
    const lower = /(?:^|\s)(?:>=|\^|~|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(
      alternative.replace(/<=?\s*\S+/g, ''),
    );
    return lower ? [Number(lower[1]), Number(lower[2] ?? 0), Number(lower[3] ?? 0)] : [0, 0, 0];
  });
  return floors.reduce((lowest, floor) => (compare(floor, lowest) < 0 ? floor : lowest));
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The repo's installed copy of a package's manifest (what the libs are built and tested with). */
function installed(name: string): { version: string; engines?: { node?: string } } {
  return JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
  ) as { version: string; engines?: { node?: string } };
}

it('finds the eight libs of the workspace', () => {
  expect(LIBS.map((lib) => lib.manifest.name).sort()).toEqual([
    '@rampart/core',
    '@rampart/observability',
    '@rampart/resilience',
    '@rampart/resources',
    '@rampart/schematics',
    '@rampart/security',
    '@rampart/tasks',
    '@rampart/testing',
  ]);
});

describe.each(LIBS.map((lib) => [lib.manifest.name, lib] as const))('%s', (name, lib) => {
  const manifest = lib.manifest;
  const references = sourceFiles(lib).flatMap(sourceReferences);
  const packages = (kinds: ReferenceKind[]) =>
    new Set(
      references
        .filter((ref) => isBare(ref.specifier, builtins) && kinds.includes(ref.kind))
        .map((ref) => packageOf(ref.specifier)),
    );
  const where = (pkg: string) =>
    references
      .filter((ref) => packageOf(ref.specifier) === pkg)
      .map((ref) => `${relative(lib.root, ref.file)} (${ref.kind})`);

  it('is named after its folder and versioned with the repo', () => {
    expect(name).toBe(`@rampart/${lib.dir}`);
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(manifest.version).toBe(root.version);
  });

  it('is CommonJS, with an exports map that gives the types', () => {
    expect(manifest.type).toBe('commonjs');
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.ts');
    expect(manifest.exports).toEqual({
      '.': {
        types: './dist/index.d.ts',
        require: './dist/index.js',
        default: './dist/index.js',
      },
      './package.json': './package.json',
    });
    // Built by `npm test`'s pretest, as `npm pack`'s prepack builds them.
    expect(existsSync(join(lib.root, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(lib.root, 'dist/index.d.ts'))).toBe(true);
  });

  it('builds itself before it is packed, and packs its build without build info', () => {
    // Schematics also copy their templates and schemas after tsc (scripts/copy-files.js).
    expect(manifest.scripts?.prepack).toMatch(
      /^tsc -b tsconfig\.lib\.json( && node scripts\/copy-files\.js)?$/,
    );
    expect(manifest.scripts?.prepack).toBe(manifest.scripts?.build);
    // A command (`bin`) is a committed file outside dist, packed with its folder.
    const bins = Object.values(manifest.bin ?? {});
    const binDirs = [...new Set(bins.map((file) => file.split('/')[0]))];
    expect(manifest.files).toEqual(['dist', '!dist/*.tsbuildinfo', ...binDirs]);
    for (const file of bins) expect(existsSync(join(lib.root, file))).toBe(true);
    // The build info lives in dist, so that a deleted dist is rebuilt (tsc -b would otherwise
    // find the build info beside it up to date and pack an empty lib), and `files` leaves it out.
    const { config, error } = ts.readConfigFile(join(lib.root, 'tsconfig.lib.json'), (path) =>
      ts.sys.readFile(path),
    );
    expect(error).toBeUndefined();
    expect(config.compilerOptions.outDir).toBe('./dist');
    expect(config.compilerOptions.tsBuildInfoFile).toMatch(/^\.\/dist\/[^/]+\.tsbuildinfo$/);
  });

  it('runs on the Node its dependencies need, and asks for no newer one', () => {
    // The Node that loads Nest 12 and the SDK unflagged, or a dependency's own floor if higher.
    const needed = Object.keys(declared(manifest))
      .filter(
        (dep) => !dep.startsWith('@rampart/') && existsSync(join(REPO_ROOT, 'node_modules', dep)),
      )
      .map((dep) => installed(dep).engines?.node)
      .filter((range): range is string => range !== undefined)
      .map(floorOf)
      .reduce(
        (highest, floor) => (compare(floor, highest) > 0 ? floor : highest),
        floorOf(NODE_FLOOR),
      );
    expect(manifest.engines).toEqual({ node: `>=${needed.join('.')}` });
  });

  it('has one Nest with the app: Nest and the other Rampart libs are peers', () => {
    const peers = manifest.peerDependencies ?? {};
    // Libs that run in the app (all but the schematics, which run in the Nest CLI) share its Nest.
    const used = packages(['value', 'type', 'dynamic']);
    if (used.has('@nestjs/common') || used.has('@nestjs/core'))
      for (const [peer, range] of Object.entries(NEST_PEERS)) expect(peers[peer]).toBe(range);
    for (const [peer, range] of Object.entries(peers).filter(([p]) => p.startsWith('@rampart/'))) {
      const other = LIBS.find((l) => l.manifest.name === peer);
      expect(other).toBeDefined();
      expect(range).toBe(other!.manifest.version);
    }
    const dependencies = Object.keys(manifest.dependencies ?? {});
    expect(
      // Nest's packages are the app's; @nestjs/schematics is the code the schematics extend,
      // run by the Nest CLI, not a part of the app's Nest.
      dependencies.filter(
        (dep) =>
          (dep.startsWith('@nestjs/') && dep !== '@nestjs/schematics') ||
          dep.startsWith('@rampart/'),
      ),
    ).toEqual([]);
    expect(dependencies.filter((dep) => dep in peers)).toEqual([]);
    for (const optional of optionalPeers(manifest)) expect(peers).toHaveProperty([optional]);
  });

  it('declares every package its code imports, as a dependency or a peer', () => {
    const undeclared = [...packages(['value', 'type', 'dynamic'])].filter(
      (pkg) => !(pkg in declared(manifest)),
    );
    expect(undeclared.map((pkg) => `${pkg}: ${where(pkg).join(', ')}`)).toEqual([]);
  });

  it('depends on nothing its code does not import', () => {
    const used = packages(['value', 'type', 'dynamic']);
    expect(Object.keys(manifest.dependencies ?? {}).filter((dep) => !used.has(dep))).toEqual([]);
  });

  it('loads its optional peers only where they are first needed', () => {
    const optional = optionalPeers(manifest);
    // An optional peer is named only by erased types or by import() calls; a feature that needs
    // it at run time loads it with loadPackage(), which names the package when it is missing.
    const eager = [...packages(['value'])].filter((pkg) => optional.includes(pkg));
    expect(eager.map((pkg) => `${pkg}: ${where(pkg).join(', ')}`)).toEqual([]);
    const integrations = [...packages(['value', 'type', 'dynamic'])].filter((pkg) =>
      OPTIONAL_INTEGRATIONS.some((pattern) => pattern.test(pkg)),
    );
    expect(integrations.filter((pkg) => !optional.includes(pkg))).toEqual([]);
  });

  it('ships public types that name only packages a user has: no optional peer, nothing undeclared', () => {
    const required = Object.keys(declared(manifest)).filter(
      (pkg) => !optionalPeers(manifest).includes(pkg),
    );
    const wrong = declarationFiles(lib).flatMap((file) =>
      declarationReferences(file)
        .filter((specifier) => isBare(specifier, builtins))
        .filter((specifier) => !required.includes(packageOf(specifier)))
        .map((specifier) => `${relative(lib.root, file)}: ${specifier}`),
    );
    expect(wrong).toEqual([]);
  });
});

it('loads every lib without its optional peers installed', () => {
  const optional = [...new Set(LIBS.flatMap((lib) => optionalPeers(lib.manifest)))];
  // A resolver that fails for the optional peers (and any OpenTelemetry SDK) as if they were
  // not installed, then every lib's entry point, as a user's app loads it.
  const script = `
    const Module = require('node:module');
    const blocked = ${JSON.stringify(optional)};
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const pkg = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
      if (blocked.includes(pkg) || /^@opentelemetry\\/(sdk-|exporter-|instrumentation)/.test(pkg)) {
        const error = new Error("Cannot find module '" + request + "' (hidden by the test)");
        error.code = 'MODULE_NOT_FOUND';
        throw error;
      }
      return resolve.call(this, request, ...rest);
    };
    require('reflect-metadata');
    for (const dir of ${JSON.stringify(LIBS.map((lib) => lib.root))}) require(dir);
    console.log('loaded');
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(optional).toEqual(expect.arrayContaining(['ioredis', 'pg']));
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  expect(run.stdout.trim()).toBe('loaded');
});
