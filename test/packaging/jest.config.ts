import type { Config } from 'jest';

/**
 * `npm run test:packaging`: the packaging e2e alone (packs the libs and installs them in an app
 * outside the repo; the root config leaves it out of `npm test`). It imports no lib and needs
 * neither Redis nor PostgreSQL: no path aliases, no global setup.
 */
const config: Config = {
  rootDir: '../..',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/packaging/install\\.e2e-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/jest.setup.ts'],
};

export default config;
