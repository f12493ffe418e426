import type { Config } from 'jest';
import { pathsToModuleNameMapper } from 'ts-jest';
import ts from 'typescript';

// Path aliases live in tsconfig.json, so they are read from there instead of being duplicated here.
const { config: tsconfig } = ts.readConfigFile('./tsconfig.json', ts.sys.readFile);
const paths = tsconfig?.compilerOptions?.paths ?? {};

const config: Config = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  // Slow suites with their own scripts: the packaging e2e (`npm run test:packaging`) installs
  // packages, the schematics e2e (`npm run test:schematics`) generates and installs an app.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    '<rootDir>/test/packaging/install\\.e2e-spec\\.ts$',
    '<rootDir>/test/schematics/',
  ],
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: pathsToModuleNameMapper(paths, { prefix: '<rootDir>/' }),
  collectCoverageFrom: ['libs/**/src/**/*.ts', 'apps/**/src/**/*.ts'],
  coverageDirectory: './coverage',
  testEnvironment: 'node',
  // A busy 2-core machine boots a Nest app with Redis in seconds, not milliseconds: no test
  // or hook fails on Jest's 5 s default; a test that needs more says so itself.
  testTimeout: 30_000,
  setupFiles: ['<rootDir>/test/jest.setup.ts'],
  // Finds or starts Redis and PostgreSQL, or has the suites that need them skipped.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

export default config;
