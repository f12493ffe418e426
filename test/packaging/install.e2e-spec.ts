import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { AppProcess } from '../web-scrape/app-process';
import { REPO_ROOT, workspaceLibs } from './libs';

/**
 * `npm run test:packaging` (not part of `npm test`: it installs packages and takes minutes).
 *
 * The libs as a user gets them: `npm pack` of every lib (its prepack builds it), a new Nest app
 * in the OS's temp directory, outside the repo so that nothing resolves to the workspace, with
 * the tarballs and the peers of docs/getting-started.md as its dependencies, `npm install`, the
 * app of test/packaging/user-app built with its own tsc (library checking on, without ioredis,
 * pg or their types), started on HTTP and on stdio, and called with the MCP SDK's client.
 */

/**
 * The libs an app installs and runs. The schematics are packed here too, but run in the Nest CLI,
 * not in an app: `npm run test:schematics` generates an app with them.
 */
const LIBS = workspaceLibs();
const APP_LIBS = LIBS.filter((lib) => lib.manifest.name !== '@rampart/schematics');
const FIXTURE = join(__dirname, 'user-app');
/** Bounds for a slow machine, not expectations. */
const PACK_LIMIT_MS = 5 * 60_000;
const INSTALL_LIMIT_MS = 5 * 60_000;
const BUILD_LIMIT_MS = 2 * 60_000;
const CALL_LIMIT_MS = 60_000;

/** What the user's app installs from the registry, at the versions the repo is tested with. */
const APP_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'class-transformer',
  'class-validator',
  'reflect-metadata',
  'rxjs',
  '@modelcontextprotocol/client',
];
const APP_DEV_DEPENDENCIES = ['typescript', '@types/node'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the commands run here: this one without npm's `npm_*` variables (which
 * `npm run` sets, and which would point a child npm at the repo, e.g. `npm_config_local_prefix`).
 */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  return { ...env, ...extra };
}

/** The npm that runs this test (`npm run test:packaging`), on this Node; else `npm` on PATH. */
function npm(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  return cli?.endsWith('npm-cli.js') ? [process.execPath, [cli, ...args]] : ['npm', args];
}

/**
 * Runs a command to its end, output kept. Past `limitMs` it is killed and the promise rejects
 * with its output, once the process has closed its streams.
 */
function run(
  [command, args]: [string, string[]],
  options: { cwd: string; limitMs: number; env?: Record<string, string> },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.limitMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ran = { code, signal, stdout, stderr };
      if (timedOut)
        reject(
          new Error(
            `${command} ${args.join(' ')}: no end within ${options.limitMs} ms\n${output(ran)}`,
          ),
        );
      else resolve(ran);
    });
  });
}

/** Runs a command that must succeed. */
async function succeed(
  command: [string, string[]],
  options: { cwd: string; limitMs: number; env?: Record<string, string> },
): Promise<Ran> {
  const ran = await run(command, options);
  if (ran.code !== 0)
    throw new Error(
      `${command[0]} ${command[1].join(' ')} failed (${ran.code ?? ran.signal})\n${output(ran)}`,
    );
  return ran;
}

const output = (ran: Ran) => `--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;

const versionIn = (manifest: Record<string, Record<string, string>>, name: string) =>
  manifest.dependencies?.[name] ?? manifest.devDependencies?.[name];

interface PackedFile {
  path: string;
}
interface Packed {
  name: string;
  filename: string;
  files: PackedFile[];
}

interface CallOutput {
  protocolVersion: string;
  tools: { name: string; inputSchema: Record<string, any> }[];
  greeted: { content: { type: string; text: string }[]; isError?: boolean };
  refused: { content: { type: string; text: string }[]; isError?: boolean };
}

describe('the libs packed, installed and used in an app outside the repo', () => {
  let work: string;
  let app: string;
  let packed: Packed[];
  /** Server processes to end after the tests, whatever happened. */
  const servers = new Set<AppProcess>();
  const stdioServerPids = new Set<number>();

  beforeAll(
    async () => {
      // The app runs on this Node (process.execPath): the repo's Node 24 under the npm script.
      const [major, minor] = process.versions.node.split('.').map(Number);
      if (major < 24 || (major === 24 && minor < 9))
        throw new Error(
          `Run with \`npm run test:packaging\` (the repo's Node 24), not Node ${process.version}`,
        );
      work = mkdtempSync(join(tmpdir(), 'rampart-packaging-'));
      const tarballs = join(work, 'tarballs');
      mkdirSync(tarballs);
      app = join(work, 'app');

      // Every lib, packed as `npm publish` would pack it (prepack builds it first).
      const pack = await succeed(
        npm(['pack', '--workspaces', '--pack-destination', tarballs, '--json']),
        { cwd: REPO_ROOT, limitMs: PACK_LIMIT_MS },
      );
      packed = JSON.parse(pack.stdout) as Packed[];

      // A new app: the tarballs, Nest and the MCP client from the registry.
      const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, string>
      >;
      const pinned = (names: string[]) =>
        Object.fromEntries(names.map((name) => [name, versionIn(root, name)]));
      const tarball = (name: string) =>
        `file:../tarballs/${packed.find((p) => p.name === name)!.filename}`;
      cpSync(FIXTURE, app, { recursive: true });
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify(
          {
            name: 'greetings-server',
            version: '1.0.0',
            private: true,
            type: 'commonjs',
            scripts: {
              build: 'tsc -p tsconfig.build.json',
              start: 'node dist/main.js',
              'start:stdio': 'node dist/main.js --stdio',
            },
            dependencies: {
              ...Object.fromEntries(
                [
                  '@rampart/core',
                  '@rampart/resilience',
                  '@rampart/observability',
                  '@rampart/security',
                  '@rampart/resources',
                  '@rampart/tasks',
                ].map((name) => [name, tarball(name)]),
              ),
              ...pinned(APP_DEPENDENCIES),
            },
            devDependencies: {
              '@rampart/testing': tarball('@rampart/testing'),
              ...pinned(APP_DEV_DEPENDENCIES),
            },
          },
          null,
          2,
        ),
      );
      await succeed(npm(['install', '--no-audit', '--no-fund', '--prefer-offline']), {
        cwd: app,
        limitMs: INSTALL_LIMIT_MS,
      });
      await succeed(
        [
          process.execPath,
          [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        ],
        {
          cwd: app,
          limitMs: BUILD_LIMIT_MS,
        },
      );
    },
    PACK_LIMIT_MS + INSTALL_LIMIT_MS + BUILD_LIMIT_MS + 30_000,
  );

  afterAll(async () => {
    await Promise.all([...servers].map((server) => server.stop()));
    for (const pid of stdioServerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already ended, as it should have.
      }
    }
    // RAMPART_PACKAGING_KEEP=1 keeps the app (and the tarballs) to look at, or to run by hand.
    if (work && process.env.RAMPART_PACKAGING_KEEP === '1')
      process.stderr.write(`packaging test: kept ${work}\n`);
    else if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('packs every lib with its build, and without sources, specs or build info', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(LIBS.map((lib) => lib.manifest.name).sort());
    for (const { name, files } of packed) {
      const paths = files.map((file) => file.path);
      expect({ name, paths }).toEqual({
        name,
        paths: expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts']),
      });
      // A command (`bin`) is packed from its own committed file, beside dist.
      const bins = Object.values(
        LIBS.find((lib) => lib.manifest.name === name)?.manifest.bin ?? {},
      );
      expect({ name, paths }).toEqual({ name, paths: expect.arrayContaining(bins) });
      const stray = paths.filter(
        (path) =>
          // npm packs a package's README whatever `files` says.
          !['package.json', 'README.md'].includes(path) &&
          !bins.includes(path) &&
          (!path.startsWith('dist/') ||
            path.endsWith('.tsbuildinfo') ||
            // A schematic's templates include the specs it generates.
            (/\.spec\./.test(path) && !path.endsWith('.template'))),
      );
      expect({ name, stray }).toEqual({ name, stray: [] });
    }
  });

  it('installs the libs from their tarballs, with one Nest and no optional package', () => {
    for (const { manifest } of APP_LIBS) {
      const installed = realpathSync(join(app, 'node_modules', manifest.name));
      expect(installed.startsWith(realpathSync(app) + sep)).toBe(true);
      // Nest, reflect-metadata, rxjs and class-validator are the app's: no lib has a copy.
      for (const peer of [
        '@nestjs/common',
        '@nestjs/core',
        'class-validator',
        'reflect-metadata',
        'rxjs',
      ])
        expect(existsSync(join(installed, 'node_modules', peer))).toBe(false);
    }
    for (const optional of ['ioredis', 'pg', '@types/pg', '@nestjs/platform-fastify'])
      expect(existsSync(join(app, 'node_modules', optional))).toBe(false);
  });

  it(
    'loads every lib without its optional packages, and names the missing one when a feature needs it',
    async () => {
      const script = `
      for (const lib of ${JSON.stringify(APP_LIBS.map((lib) => lib.manifest.name))}) require(lib);
      const { ResilienceRedis } = require('@rampart/resilience');
      const { PostgresAuditSink } = require('@rampart/observability');
      const errors = [];
      try { new ResilienceRedis({ storage: { redis: 'redis://127.0.0.1:6379' } }); } catch (e) { errors.push(e.message); }
      try { new PostgresAuditSink({ connectionString: 'postgres://127.0.0.1/audit' }).init(); } catch (e) { errors.push(e.message); }
      // Cedar, a dependency of @rampart/security loaded on first use, resolves from it.
      const security = require('node:path').dirname(require.resolve('@rampart/security'));
      require.resolve('@cedar-policy/cedar-wasm/nodejs', { paths: [security] });
      console.log(JSON.stringify(errors));
    `;
      const ran = await succeed([process.execPath, ['-e', script]], {
        cwd: app,
        limitMs: CALL_LIMIT_MS,
      });
      const [redis, pg] = JSON.parse(ran.stdout) as string[];
      expect(redis).toMatch(
        /needs the "ioredis" package, which is not installed: run `npm install ioredis`/,
      );
      expect(pg).toMatch(/needs the "pg" package, which is not installed: run `npm install pg`/);
    },
    CALL_LIMIT_MS + 5_000,
  );

  it(
    "runs the app's module in memory with @rampart/testing, as the guide's Testing section does",
    async () => {
      const script = `
      const { createMcpTestApp } = require('@rampart/testing');
      const { AppModule } = require('./dist/app.module');
      (async () => {
        const t = await createMcpTestApp({ imports: [AppModule.forRoot({ stdio: false })] });
        try {
          const result = await t.client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
          console.log('RESULT ' + JSON.stringify(result));
        } finally {
          await t.close();
        }
      })().catch((error) => {
        console.error(error);
        process.exitCode = 1;
      });
    `;
      const ran = await succeed([process.execPath, ['-e', script]], {
        cwd: app,
        limitMs: CALL_LIMIT_MS,
      });
      const result = JSON.parse(/^RESULT (.*)$/m.exec(ran.stdout)![1]) as CallOutput['greeted'];
      expect(result.content).toEqual([{ type: 'text', text: 'Hi Ada!' }]);
    },
    CALL_LIMIT_MS + 5_000,
  );

  const expectGreetings = (out: CallOutput) => {
    expect(out.tools.map((tool) => tool.name)).toEqual(['greet']);
    // The schema and the validation come from the app's DTO, through the app's class-validator.
    expect(out.tools[0].inputSchema).toMatchObject({
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, tone: { enum: ['formal', 'casual'] } },
    });
    expect(out.greeted.isError).toBeFalsy();
    expect(out.greeted.content).toEqual([{ type: 'text', text: 'Good day, Ada.' }]);
    expect(out.refused.isError).toBe(true);
    expect(JSON.parse(out.refused.content[0].text)).toMatchObject({ code: 'INVALID_ARGUMENTS' });
  };

  describe('on Streamable HTTP', () => {
    let server: AppProcess;
    let url: string;

    beforeAll(async () => {
      server = new AppProcess(
        process.execPath,
        [join(app, 'dist/main.js')],
        childEnv({
          PORT: '0',
          HOST: '127.0.0.1',
          NO_COLOR: '1',
        }),
      );
      servers.add(server);
      url = (
        await server.waitFor(
          'stdout',
          /MCP endpoint on (http:\/\/127\.0\.0\.1:\d+\/mcp)/,
          CALL_LIMIT_MS,
        )
      )[1];
    }, CALL_LIMIT_MS + 5_000);

    afterAll(async () => {
      if (!server) return;
      // Nest's shutdown hooks close the app on SIGTERM; SIGKILL if it has not ended in time.
      server.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        server.exit.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 10_000))),
      ]);
      clearTimeout(timer);
      if (!ended) await server.stop();
    }, 20_000);

    it.each(['legacy', 'modern'])(
      'answers the tool, %s era',
      async (era) => {
        const ran = await succeed([process.execPath, ['call-tool.mjs', url, era]], {
          cwd: app,
          limitMs: CALL_LIMIT_MS,
        });
        const out = JSON.parse(ran.stdout) as CallOutput;
        expect(out.protocolVersion).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
        expectGreetings(out);
      },
      CALL_LIMIT_MS + 5_000,
    );

    it('counts the calls on /metrics', async () => {
      const metrics = await (await fetch(url.replace(/\/mcp$/, '/metrics'))).text();
      expect(metrics).toMatch(
        /rampart_tool_calls_total\{[^}]*gen_ai_tool_name="greet"[^}]*outcome="success"[^}]*\} [1-9]/,
      );
    });
  });

  describe('on stdio', () => {
    it.each(['legacy', 'modern'])(
      'answers the tool, %s era',
      async (era) => {
        const ran = await run([process.execPath, ['call-tool.mjs', 'stdio', era]], {
          cwd: app,
          limitMs: CALL_LIMIT_MS,
        });
        for (const [, pid] of ran.stderr.matchAll(/server pid (\d+)/g))
          stdioServerPids.add(Number(pid));
        expect({ code: ran.code, stderr: ran.code === 0 ? '' : ran.stderr }).toEqual({
          code: 0,
          stderr: '',
        });
        const out = JSON.parse(ran.stdout) as CallOutput;
        expect(out.protocolVersion).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
        expectGreetings(out);
        // The server's own lines went to stderr: stdout carried only the protocol.
        expect(ran.stderr).toMatch(/Serving on stdio/);
      },
      CALL_LIMIT_MS + 5_000,
    );
  });
});
