import { runner } from '../testing.fixture';
import { THIRD_PARTY_VERSIONS } from '../utils/versions';

const files = (tree: { files: string[] }, root = '/my-server/') =>
  tree.files
    .filter((f) => f.startsWith(root))
    .map((f) => f.slice(root.length))
    .sort();

describe('application', () => {
  it('creates a server app in NAME/, as nest new -c @rampart/schematics runs it', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(files(tree)).toEqual([
      '.dockerignore',
      '.gitignore',
      'Dockerfile',
      'README.md',
      'jest.config.ts',
      'nest-cli.json',
      'package.json',
      'src/app.module.ts',
      'src/echo/echo.dto.ts',
      'src/echo/echo.tools.spec.ts',
      'src/echo/echo.tools.ts',
      'src/main.ts',
      'test/app.e2e-spec.ts',
      'test/jest.setup.ts',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
  });

  it('serves HTTP, or stdio with --stdio, with resilience and observability by default', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(tree.readText('/my-server/src/app.module.ts'))
      .toBe(`import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import {
  ObservabilityModule,
  type LoggingOptions,
} from '@rampart/observability';
import { ResilienceModule } from '@rampart/resilience';
import { EchoTools } from './echo/echo.tools';

/** \`node dist/main.js --stdio\` serves MCP on stdin/stdout instead of HTTP (see main.ts). */
const stdio = process.argv.includes('--stdio');

@Module({
  imports: [
    McpModule.forRoot({
      name: 'my-server',
      version: '0.0.1',
      http: stdio ? false : { path: '/mcp' },
      stdio,
    }),
    // Rate limits, circuit breakers and idempotency keys in memory; with REDIS_URL (and the
    // ioredis package installed), in Redis, shared by every replica.
    ResilienceModule.forRoot({ storage: { redis: process.env.REDIS_URL } }),
    ObservabilityModule.forRoot({
      // One JSON line per call (on stderr when serving stdio), at LOG_LEVEL.
      logging: {
        level: (process.env.LOG_LEVEL ?? 'info') as LoggingOptions['level'],
      },
      // OpenTelemetry spans, sent wherever the app's OpenTelemetry SDK sends them.
      tracing: true,
      // Prometheus metrics of every tool on /metrics; /health/live and /health/ready.
      metrics: { allTools: true },
      health: true,
    }),
  ],
  providers: [EchoTools],
})
export class AppModule {}
`);
    expect(tree.readText('/my-server/src/main.ts'))
      .toBe(`import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { AppModule } from './app.module';

/** Path of the MCP endpoint (\`McpModule.forRoot({ http })\` in app.module.ts). */
const MCP_PATH = '/mcp';

/**
 * Serves MCP over Streamable HTTP on HOST:PORT: by default 127.0.0.1:3000, this machine only;
 * HOST=0.0.0.0 for every interface (as in the container), PORT=0 for a free port.
 */
async function serveHttp(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      \`PORT must be a port number (0 picks a free one), not "\${process.env.PORT}"\`,
    );
  // Streams still open at shutdown (a 2025-era client's SSE) are closed, not waited for.
  const app = await NestFactory.create(AppModule, {
    forceCloseConnections: true,
  });
  // SIGTERM and Ctrl-C close the app: calls in flight finish, then the server stops.
  app.enableShutdownHooks();
  await app.listen(port, host);
  // The bound port, not PORT: PORT=0 picks one.
  const bound = (app.getHttpServer().address() as { port: number }).port;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const shown = reachable.includes(':') ? \`[\${reachable}]\` : reachable;
  process.stderr.write(
    \`my-server: MCP endpoint on http://\${shown}:\${bound}\${MCP_PATH}\\n\`,
  );
}

/**
 * Serves MCP on stdin/stdout, for a client that starts the server itself (a desktop app, an
 * IDE). stdout carries nothing but the protocol: every log line goes to stderr.
 */
async function serveStdio(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: new StdioLogger(),
  });
  app.enableShutdownHooks();
}

/** A server that could not start: why, on stderr, and exit code 1. */
function fail(error: unknown): never {
  const why =
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(\`my-server did not start: \${why}\\n\`);
  process.exit(1);
}

(process.argv.includes('--stdio') ? serveStdio() : serveHttp()).catch(fail);
`);
  });

  it.each([
    [
      'http',
      `import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { EchoTools } from './echo/echo.tools';

@Module({
  imports: [
    McpModule.forRoot({
      name: 'my-server',
      version: '0.0.1',
      http: { path: '/mcp' },
    }),
  ],
  providers: [EchoTools],
})
export class AppModule {}
`,
    ],
    [
      'stdio',
      `import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { EchoTools } from './echo/echo.tools';

@Module({
  imports: [
    McpModule.forRoot({
      name: 'my-server',
      version: '0.0.1',
      http: false,
      stdio: true,
    }),
  ],
  providers: [EchoTools],
})
export class AppModule {}
`,
    ],
  ])('serves %s alone, without resilience and observability', async (transport, module) => {
    const tree = await runner.runSchematic('application', {
      name: 'my-server',
      transport,
      resilience: false,
      observability: false,
    });
    expect(tree.readText('/my-server/src/app.module.ts')).toBe(module);
  });

  it('starts the HTTP server on HOST:PORT, 127.0.0.1:3000 by default', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server', transport: 'http' });
    expect(tree.readText('/my-server/src/main.ts'))
      .toBe(`import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

/** Path of the MCP endpoint (\`McpModule.forRoot({ http })\` in app.module.ts). */
const MCP_PATH = '/mcp';

/**
 * Serves MCP over Streamable HTTP on HOST:PORT: by default 127.0.0.1:3000, this machine only;
 * HOST=0.0.0.0 for every interface (as in the container), PORT=0 for a free port.
 */
async function serveHttp(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      \`PORT must be a port number (0 picks a free one), not "\${process.env.PORT}"\`,
    );
  // Streams still open at shutdown (a 2025-era client's SSE) are closed, not waited for.
  const app = await NestFactory.create(AppModule, {
    forceCloseConnections: true,
  });
  // SIGTERM and Ctrl-C close the app: calls in flight finish, then the server stops.
  app.enableShutdownHooks();
  await app.listen(port, host);
  // The bound port, not PORT: PORT=0 picks one.
  const bound = (app.getHttpServer().address() as { port: number }).port;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const shown = reachable.includes(':') ? \`[\${reachable}]\` : reachable;
  process.stderr.write(
    \`my-server: MCP endpoint on http://\${shown}:\${bound}\${MCP_PATH}\\n\`,
  );
}

/** A server that could not start: why, on stderr, and exit code 1. */
function fail(error: unknown): never {
  const why =
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(\`my-server did not start: \${why}\\n\`);
  process.exit(1);
}

serveHttp().catch(fail);
`);
  });

  it('starts the stdio server with its logs on stderr', async () => {
    const tree = await runner.runSchematic('application', {
      name: 'my-server',
      transport: 'stdio',
    });
    expect(tree.readText('/my-server/src/main.ts'))
      .toBe(`import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { AppModule } from './app.module';

/**
 * Serves MCP on stdin/stdout, for a client that starts the server itself (a desktop app, an
 * IDE). stdout carries nothing but the protocol: every log line goes to stderr.
 */
async function serveStdio(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: new StdioLogger(),
  });
  app.enableShutdownHooks();
}

/** A server that could not start: why, on stderr, and exit code 1. */
function fail(error: unknown): never {
  const why =
    error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(\`my-server did not start: \${why}\\n\`);
  process.exit(1);
}

serveStdio().catch(fail);
`);
  });

  it('on stdio alone, keeps observability to the log lines and traces (no /metrics, no /health)', async () => {
    const tree = await runner.runSchematic('application', {
      name: 'my-server',
      transport: 'stdio',
      resilience: false,
    });
    expect(tree.readText('/my-server/src/app.module.ts'))
      .toBe(`import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import {
  ObservabilityModule,
  type LoggingOptions,
} from '@rampart/observability';
import { EchoTools } from './echo/echo.tools';

@Module({
  imports: [
    McpModule.forRoot({
      name: 'my-server',
      version: '0.0.1',
      http: false,
      stdio: true,
    }),
    ObservabilityModule.forRoot({
      // One JSON line per call (on stderr when serving stdio), at LOG_LEVEL.
      logging: {
        level: (process.env.LOG_LEVEL ?? 'info') as LoggingOptions['level'],
      },
      // OpenTelemetry spans, sent wherever the app's OpenTelemetry SDK sends them.
      tracing: true,
    }),
  ],
  providers: [EchoTools],
})
export class AppModule {}
`);
  });

  it('generates the echo tool with the tool schematic, with resilience decorators when chosen', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(tree.readText('/my-server/src/echo/echo.tools.ts'))
      .toBe(`import { Injectable } from '@nestjs/common';
import { Args, Tool } from '@rampart/core';
import { RateLimit, Timeout } from '@rampart/resilience';
import { EchoInput } from './echo.dto';

@Injectable()
export class EchoTools {
  @Tool({
    name: 'echo',
    description: 'Returns the text it is given.',
    annotations: { readOnlyHint: true },
  })
  @RateLimit({ points: 60, perMs: 60_000 })
  @Timeout(5_000)
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}
`);
    const bare = await runner.runSchematic('application', { name: 'my-server', resilience: false });
    expect(bare.readText('/my-server/src/echo/echo.tools.ts')).not.toContain('@rampart/resilience');
  });

  it('tests the whole app over HTTP in both eras and, built, on stdio', async () => {
    const both = await runner.runSchematic('application', { name: 'my-server' });
    expect(both.readText('/my-server/test/app.e2e-spec.ts')).toBe(`import {
  connectStdio,
  createMcpTestApp,
  mcpTestMatrix,
  toolText,
  type McpTestApp,
} from '@rampart/testing';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';

// The whole app over Streamable HTTP on 127.0.0.1, in both protocol eras.
describe.each(mcpTestMatrix((setup) => setup.adapter === 'express'))(
  'my-server over %s',
  (_name, setup) => {
    let t: McpTestApp;

    beforeAll(async () => {
      t = await createMcpTestApp({
        imports: [AppModule],
        server: 'my-server',
        ...setup,
      });
    });

    afterAll(() => t.close());

    it('lists the echo tool', async () => {
      const { tools } = await t.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('echo');
    });

    it('calls echo', async () => {
      const result = await t.client.callTool({
        name: 'echo',
        arguments: { text: 'hello' },
      });
      expect(toolText(result)).toBe('hello');
    });
  },
);

// The built server (\`npm test\` builds it first) on stdio, as an MCP client starts it.
describe('my-server on stdio', () => {
  it('calls echo', async () => {
    const server = await connectStdio(process.execPath, [
      join(__dirname, '..', 'dist', 'main.js'),
      '--stdio',
    ]);
    try {
      const result = await server.client.callTool({
        name: 'echo',
        arguments: { text: 'hello' },
      });
      expect(toolText(result)).toBe('hello');
    } finally {
      await server.close();
    }
  }, 30_000); // starting a Node process
});
`);
    const stdio = await runner.runSchematic('application', {
      name: 'my-server',
      transport: 'stdio',
    });
    expect(stdio.readText('/my-server/test/app.e2e-spec.ts'))
      .toBe(`import { connectStdio, toolText } from '@rampart/testing';
import { join } from 'node:path';

// The built server (\`npm test\` builds it first) on stdio, as an MCP client starts it.
describe('my-server on stdio', () => {
  it('calls echo', async () => {
    const server = await connectStdio(process.execPath, [
      join(__dirname, '..', 'dist', 'main.js'),
    ]);
    try {
      const result = await server.client.callTool({
        name: 'echo',
        arguments: { text: 'hello' },
      });
      expect(toolText(result)).toBe('hello');
    } finally {
      await server.close();
    }
  }, 30_000); // starting a Node process
});
`);
    const http = await runner.runSchematic('application', { name: 'my-server', transport: 'http' });
    expect(http.readText('/my-server/test/app.e2e-spec.ts')).not.toContain('connectStdio');
  });

  it('writes package.json with @rampart/* at this version and the versions Rampart is tested with', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(tree.readText('/my-server/package.json')).toBe(`{
  "name": "my-server",
  "version": "0.0.1",
  "description": "",
  "private": true,
  "license": "UNLICENSED",
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "start": "npm run build && node dist/main.js",
    "start:dev": "nest start --watch",
    "start:stdio": "tsc -p tsconfig.build.json 1>&2 && node dist/main.js --stdio",
    "start:prod": "node dist/main.js",
    "pretest": "npm run build",
    "test": "node --experimental-vm-modules ./node_modules/jest/bin/jest.js",
    "test:watch": "node --experimental-vm-modules ./node_modules/jest/bin/jest.js --watch",
    "test:cov": "node --experimental-vm-modules ./node_modules/jest/bin/jest.js --coverage"
  },
  "dependencies": {
    "@nestjs/common": "^12.5.1",
    "@nestjs/core": "^12.5.1",
    "@nestjs/platform-express": "^12.5.1",
    "@nestjs/terminus": "^12.1.0",
    "@opentelemetry/api": "^1.9.1",
    "@rampart/core": "0.1.0",
    "@rampart/observability": "0.1.0",
    "@rampart/resilience": "0.1.0",
    "class-transformer": "^0.5.1",
    "class-validator": "^0.15.1",
    "nestjs-pino": "^5.2.1",
    "pino": "^10.4.0",
    "pino-http": "^11.0.0",
    "prom-client": "^15.1.3",
    "reflect-metadata": "^0.2.2",
    "rxjs": "^7.8.2"
  },
  "devDependencies": {
    "@nestjs/cli": "^12.0.8",
    "@nestjs/testing": "^12.1.1",
    "@rampart/schematics": "0.1.0",
    "@rampart/testing": "0.1.0",
    "@types/jest": "^30.0.0",
    "@types/node": "^24.19.2",
    "jest": "^30.5.2",
    "node": "24.21.0",
    "ts-jest": "^29.4.15",
    "typescript": "^6.0.3"
  },
  "allowScripts": {
    "node": true,
    "@parcel/watcher": true
  }
}
`);
  });

  it.each([
    ['http', { '@nestjs/platform-express': '^12.5.1' }, {}, undefined],
    ['stdio', {}, { '@nestjs/platform-express': '^12.5.1' }, 'npm run build'],
  ])(
    'for %s, depends on Express only where it runs, and builds before the tests only for stdio',
    async (transport, dependencies, devDependencies, pretest) => {
      const tree = await runner.runSchematic('application', {
        name: 'my-server',
        transport,
        resilience: false,
        observability: false,
      });
      const manifest = JSON.parse(tree.readText('/my-server/package.json'));
      expect(manifest.dependencies).toEqual({
        '@nestjs/common': '^12.5.1',
        '@nestjs/core': '^12.5.1',
        '@rampart/core': '0.1.0',
        'class-transformer': '^0.5.1',
        'class-validator': '^0.15.1',
        'reflect-metadata': '^0.2.2',
        rxjs: '^7.8.2',
        ...dependencies,
      });
      expect(manifest.devDependencies).toMatchObject(devDependencies);
      expect(manifest.scripts.pretest).toBe(pretest);
      expect(manifest.scripts['start:stdio']).toBeUndefined();
      expect(THIRD_PARTY_VERSIONS['@nestjs/platform-express']).toBe('12.5.1');
    },
  );

  it('opens the README with the two commands', async () => {
    const http = await runner.runSchematic('application', { name: 'my-server', transport: 'http' });
    expect(http.readText('/my-server/README.md')).toMatch(
      /^# my-server\n\n```bash\nnpm install && npm start   # build, then serve MCP on http:\/\/127\.0\.0\.1:3000\/mcp\nnpm test                   # unit and end-to-end tests\n```\n/,
    );
    const stdio = await runner.runSchematic('application', {
      name: 'my-server',
      transport: 'stdio',
      resilience: false,
      observability: false,
    });
    expect(stdio.readText('/my-server/README.md')).toBe(`# my-server

\`\`\`bash
npm install && npm start   # build, then serve MCP on stdin/stdout (for an MCP client)
npm test                   # unit and end-to-end tests
\`\`\`

An MCP (Model Context Protocol) server built with NestJS and Rampart. \`npm install\` brings
Node 24 (the devDependency \`node\`), and every npm script runs on it, whatever node runs npm.

## What is here

| file | what |
|---|---|
| \`src/app.module.ts\` | the server: \`McpModule.forRoot({ name: 'my-server' })\`, and the providers whose methods are its tools, resources and prompts |
| \`src/main.ts\` | starts it: on stdio |
| \`src/echo/\` | the \`echo\` tool (\`echo.tools.ts\`), the DTO of its arguments, which gives its input schema (\`echo.dto.ts\`), and its spec |
| \`test/app.e2e-spec.ts\` | the whole server on stdio |
| \`Dockerfile\` | a multi-stage image that runs as a non-root user |

## Adding to it

\`\`\`bash
npx nest g tool search-docs       # the search_docs tool, its DTO and spec, in src/search-docs/
npx nest g resource notes         # the notes://{id} resource template
npx nest g prompt review-code     # the review_code prompt
\`\`\`

Each part is registered in the nearest module above its folder. nest-cli.json names
\`@rampart/schematics\` as the collection; it extends \`@nestjs/schematics\`, so \`nest g controller\`
and the rest work as usual. \`nest g\` passes on only its own flags (\`--flat\`, \`--no-spec\`,
\`--skip-import\`); the schematics' other options go through the schematics CLI, e.g.
\`npx schematics @rampart/schematics:tool invoice --server=billing --description="Bills a customer"\`.

## Connecting a client

Over stdio, the client starting the server (after \`npm run build\`; absolute paths, and a Node of
version 22 or newer, e.g. \`node_modules/.bin/node\`):

\`\`\`json
{ "mcpServers": { "my-server": { "command": "/path/to/node", "args": ["/path/to/my-server/dist/main.js"] } } }
\`\`\`

## Docker

\`\`\`bash
npm install   # package-lock.json, which the image installs from
docker build -t my-server .
docker run --rm -i my-server
\`\`\`
`);
  });

  it('writes a multi-stage Dockerfile that runs as a non-root user, with a HEALTHCHECK when /health is served', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(tree.readText('/my-server/Dockerfile')).toBe(`# syntax=docker/dockerfile:1
# The my-server image. Run \`npm install\` first (the image installs from
# package-lock.json), then:
#
#   docker build -t my-server .
#   docker run --rm -p 3000:3000 my-server
#   docker run --rm -i my-server node dist/main.js --stdio   # on stdio

# Build: every dependency, then the app.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the devDependency \`node\` would download a second Node, which this image
# already is.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# Runtime: the production dependencies and the built app.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's non-root user \`node\`, by number so that Kubernetes can check runAsNonRoot. The
# files stay root's: the app only reads them.
USER 1000:1000
# In a container the server listens on every interface.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM: calls in flight finish, then the server stops.
CMD ["node", "dist/main.js"]
`);
    const stdio = await runner.runSchematic('application', {
      name: 'my-server',
      transport: 'stdio',
    });
    expect(stdio.readText('/my-server/Dockerfile')).toBe(`# syntax=docker/dockerfile:1
# The my-server image. Run \`npm install\` first (the image installs from
# package-lock.json), then:
#
#   docker build -t my-server .
#   docker run --rm -i my-server   # on stdio: the client talks to the container's stdin/stdout

# Build: every dependency, then the app.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the devDependency \`node\` would download a second Node, which this image
# already is.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# Runtime: the production dependencies and the built app.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's non-root user \`node\`, by number so that Kubernetes can check runAsNonRoot. The
# files stay root's: the app only reads them.
USER 1000:1000
# Node is PID 1 and handles SIGTERM: calls in flight finish, then the server stops.
CMD ["node", "dist/main.js"]
`);
    const unobserved = await runner.runSchematic('application', {
      name: 'my-server',
      observability: false,
    });
    const dockerfile = unobserved.readText('/my-server/Dockerfile');
    expect(dockerfile).toContain('EXPOSE 3000\n');
    expect(dockerfile).not.toContain('HEALTHCHECK');
  });

  it('writes tsconfig, Jest, nest-cli.json (naming this collection) and ignore files', async () => {
    const tree = await runner.runSchematic('application', { name: 'my-server' });
    expect(tree.readText('/my-server/tsconfig.json')).toBe(`{
  "compilerOptions": {
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "resolvePackageJsonExports": true,
    "esModuleInterop": true,
    "isolatedModules": true,
    "declaration": true,
    "removeComments": true,
    "emitDecoratorMetadata": true,
    "experimentalDecorators": true,
    "allowSyntheticDefaultImports": true,
    "target": "ES2023",
    "types": ["node", "jest"],
    "sourceMap": true,
    "outDir": "./dist",
    "rootDir": ".",
    "incremental": true,
    "skipLibCheck": true,
    "strict": true,
    "strictPropertyInitialization": false
  }
}
`);
    expect(tree.readText('/my-server/tsconfig.build.json')).toBe(`{
  "extends": "./tsconfig.json",
  "compilerOptions": {
    "rootDir": "./src"
  },
  "include": ["src"],
  "exclude": ["node_modules", "test", "dist", "**/*.spec.ts"]
}
`);
    expect(tree.readText('/my-server/jest.config.ts')).toBe(`import type { Config } from 'jest';

const config: Config = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  // Unit specs beside the code (src/**/*.spec.ts), end-to-end specs in test/.
  testRegex: '.*\\\\.(spec|e2e-spec)\\\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\\\.(t|j)s$': 'ts-jest',
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/jest.setup.ts'],
};

export default config;
`);
    expect(tree.readText('/my-server/test/jest.setup.ts'))
      .toBe(`// The server's call log lines stay out of the test output; set LOG_LEVEL to see them.
process.env.LOG_LEVEL ??= 'silent';
`);
    expect(tree.readText('/my-server/nest-cli.json')).toBe(`{
  "$schema": "https://json.schemastore.org/nest-cli",
  "collection": "@rampart/schematics",
  "sourceRoot": "src",
  "compilerOptions": {
    "deleteOutDir": true
  }
}
`);
    expect(tree.readText('/my-server/.gitignore')).toBe(`# Dependencies and builds
node_modules/
dist/
coverage/
*.tsbuildinfo

# Local settings
.env
`);
    expect(tree.readText('/my-server/.dockerignore')).toBe(`node_modules
dist
coverage
*.tsbuildinfo
.git
.env
`);
  });

  it('with --skip-tests (spec: false) and --strict=false, as nest new passes them', async () => {
    const tree = await runner.runSchematic('application', {
      name: 'my-server',
      spec: false,
      strict: false,
    });
    expect(files(tree).filter((f) => f.includes('spec') || f.startsWith('test/'))).toEqual([]);
    expect(tree.readText('/my-server/jest.config.ts')).toBe(`import type { Config } from 'jest';

const config: Config = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  // Unit specs beside the code (src/**/*.spec.ts), end-to-end specs in test/.
  testRegex: '.*\\\\.(spec|e2e-spec)\\\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\\\.(t|j)s$': 'ts-jest',
  },
  testEnvironment: 'node',
};

export default config;
`);
    expect(tree.readText('/my-server/tsconfig.json')).toContain('"strict": false,');
    expect(JSON.parse(tree.readText('/my-server/package.json')).scripts).toMatchObject({
      test: 'node --experimental-vm-modules ./node_modules/jest/bin/jest.js --passWithNoTests',
    });
    const skipped = await runner.runSchematic('application', {
      name: 'my-server',
      skipTests: true,
    });
    expect(files(skipped)).toEqual(files(tree));
  });

  it('takes every option nest new passes', async () => {
    const tree = await runner.runSchematic('application', {
      name: 'MyServer',
      directory: 'servers/mine',
      skipGit: true,
      strict: true,
      packageManager: 'npm',
      collection: '@rampart/schematics',
      language: 'ts',
      format: false,
      observe: true,
    });
    expect(files(tree, '/servers/mine/')).toContain('src/app.module.ts');
    expect(JSON.parse(tree.readText('/servers/mine/package.json')).name).toBe('my-server');
  });

  it('names a scoped package after its unscoped part', async () => {
    const tree = await runner.runSchematic('application', { name: '@acme/my-server' });
    expect(JSON.parse(tree.readText('/@acme/my-server/package.json')).name).toBe('@acme/my-server');
    expect(tree.readText('/@acme/my-server/src/app.module.ts')).toContain(`name: 'my-server',`);
    expect(tree.readText('/@acme/my-server/test/app.e2e-spec.ts')).toContain(
      `server: 'my-server',`,
    );
  });

  it('answers to its alias app', async () => {
    const tree = await runner.runSchematic('app', { name: 'my-server' });
    expect(tree.exists('/my-server/src/app.module.ts')).toBe(true);
  });

  it('refuses an unknown transport, JavaScript and a name npm would refuse', async () => {
    await expect(
      runner.runSchematic('application', { name: 'my-server', transport: 'sse' }),
    ).rejects.toThrow('Data path "/transport" must be equal to one of the allowed values.');
    await expect(
      runner.runSchematic('application', { name: 'my-server', language: 'js' }),
    ).rejects.toThrow('Rampart servers are written in TypeScript: language "js" is not supported');
    await expect(runner.runSchematic('application', { name: 'my server!' })).rejects.toThrow(
      '"my-server!" is not a valid npm package name',
    );
  });
});
