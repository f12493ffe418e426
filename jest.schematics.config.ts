import type { Config } from 'jest';

/**
 * `npm run test:schematics`: the slow end-to-end test of @rampart/schematics (packs the
 * libraries, generates an app outside the repository, installs, builds and calls it), which the
 * default config leaves out. It needs no Redis or PostgreSQL, so it has no global setup.
 */
const config: Config = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: 'test/schematics/.*\\.e2e-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  testEnvironment: 'node',
};

export default config;
