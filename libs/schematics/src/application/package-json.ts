import { THIRD_PARTY_VERSIONS, type ThirdPartyPackage } from '../utils/versions';
import type { Transport } from './application-options.interface';

/** What a generated package.json depends on. */
export interface PackageJsonInput {
  packageName: string;
  version: string;
  description: string;
  transport: Transport;
  resilience: boolean;
  observability: boolean;
  spec: boolean;
  /** The version of the `@rampart/*` packages. */
  rampartVersion: string;
}

const OBSERVABILITY_PEERS: ThirdPartyPackage[] = [
  '@nestjs/terminus',
  '@opentelemetry/api',
  'nestjs-pino',
  'pino',
  'pino-http',
  'prom-client',
];

/**
 * The package.json of a generated server, as text: its scripts, and dependencies on the
 * versions Rampart is tested with (`^` ranges; `@rampart/*` at this schematics' own version).
 * Packages that the Rampart libraries expect as peers are listed too, so that every package
 * manager installs them.
 */
export function packageJson(input: PackageJsonInput): string {
  const http = input.transport !== 'stdio';
  const stdio = input.transport !== 'http';
  const caret = (name: ThirdPartyPackage): [string, string] => [
    name,
    `^${THIRD_PARTY_VERSIONS[name]}`,
  ];
  const rampart = (name: string): [string, string] => [`@rampart/${name}`, input.rampartVersion];
  const jest = 'node --experimental-vm-modules ./node_modules/jest/bin/jest.js';
  const dependencies = sorted([
    caret('@nestjs/common'),
    caret('@nestjs/core'),
    ...(http ? [caret('@nestjs/platform-express')] : []),
    rampart('core'),
    ...(input.resilience ? [rampart('resilience')] : []),
    ...(input.observability ? [rampart('observability'), ...OBSERVABILITY_PEERS.map(caret)] : []),
    caret('class-transformer'),
    caret('class-validator'),
    caret('reflect-metadata'),
    caret('rxjs'),
  ]);
  const devDependencies = sorted([
    caret('@nestjs/cli'),
    caret('@nestjs/testing'),
    // The tests boot the app in a Nest testing module, which needs an HTTP adapter.
    ...(http ? [] : [caret('@nestjs/platform-express')]),
    rampart('schematics'),
    rampart('testing'),
    caret('@types/jest'),
    caret('@types/node'),
    caret('jest'),
    // The Node every npm script runs on (node_modules/.bin comes first on their PATH).
    ['node', THIRD_PARTY_VERSIONS.node],
    caret('ts-jest'),
    caret('typescript'),
  ]);
  const scripts: Record<string, string> = {
    build: 'tsc -p tsconfig.build.json',
    start: 'npm run build && node dist/main.js',
    ...(http && { 'start:dev': 'nest start --watch' }),
    ...(input.transport === 'both' && {
      'start:stdio': 'tsc -p tsconfig.build.json 1>&2 && node dist/main.js --stdio',
    }),
    'start:prod': 'node dist/main.js',
    // The end-to-end spec starts the built server on stdio.
    ...(stdio && input.spec && { pretest: 'npm run build' }),
    test: input.spec ? jest : `${jest} --passWithNoTests`,
    'test:watch': `${jest} --watch`,
    'test:cov': `${jest} --coverage`,
  };
  const manifest = {
    name: input.packageName,
    version: input.version,
    description: input.description,
    private: true,
    license: 'UNLICENSED',
    scripts,
    dependencies,
    devDependencies,
    // Install scripts npm runs without a warning: `node` fetches the Node binary, and
    // @parcel/watcher (Jest's) builds itself where no prebuilt binary fits.
    allowScripts: { node: true, '@parcel/watcher': true },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const sorted = (entries: [string, string][]): Record<string, string> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
