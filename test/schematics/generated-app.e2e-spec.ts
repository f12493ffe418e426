import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readinessAfterWarmUp } from '../readiness';

/**
 * `nest new my-server -c @rampart/schematics` as a user runs it, from the packed packages, outside
 * the repository: pack the libraries (`npm pack`), install the schematics tarball, run the Nest
 * CLI's `nest new` with it, point the app's @rampart/* dependencies at the tarballs, `npm install`,
 * add a part of each kind with `nest g`, run the app's own `npm test`, build it, start it on a free
 * port on 127.0.0.1 and call its tools over Streamable HTTP.
 *
 * Slow (minutes, mostly npm install) and not part of `npm test`: `npm run test:schematics`.
 * RAMPART_KEEP_SCHEMATICS_TMP=1 keeps the temporary folder for a look afterwards.
 */

const ROOT = resolve(__dirname, '../..');
const LIBS = ['core', 'testing', 'resilience', 'observability', 'schematics'];
const run = promisify(execFile);

// The user's shell: no npm_* settings of the repository's own npm run, and not the repository's
// node_modules/.bin first on PATH (the app brings its own Node; npm runs on the machine's node).
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([name]) => !name.toLowerCase().startsWith('npm_'))
    .map(([name, value]) =>
      name === 'PATH'
        ? [
            name,
            value
              ?.split(delimiter)
              .filter((dir) => !dir.startsWith(ROOT))
              .join(delimiter),
          ]
        : [name, value],
    ),
);

/** Runs a command; its output when it fails. */
async function sh(command: string, args: string[], cwd: string, timeoutMs = 300_000) {
  try {
    return await run(command, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed: ${String(error)}\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

const npm = (args: string[], cwd: string, timeoutMs?: number) =>
  sh('npm', [...args, '--no-audit', '--no-fund'], cwd, timeoutMs);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('nest new -c @rampart/schematics, from the packed packages', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rampart-schematics-'));
  const tarballs = join(tmp, 'tarballs');
  const app = join(tmp, 'my-server');
  const tarball: Record<string, string> = {};
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    // Pack the libraries as they would be published (each one's prepack runs).
    mkdirSync(tarballs);
    const packed = await sh(
      'npm',
      [
        'pack',
        ...LIBS.flatMap((lib) => ['--workspace', `libs/${lib}`]),
        '--pack-destination',
        tarballs,
        '--json',
      ],
      ROOT,
    );
    for (const { name, filename } of JSON.parse(packed.stdout) as {
      name: string;
      filename: string;
    }[])
      tarball[name] = join(tarballs, filename);
    expect(Object.keys(tarball).sort()).toEqual(LIBS.map((lib) => `@rampart/${lib}`).sort());

    // The collection where the Nest CLI looks for it: node_modules of the folder it runs in.
    const cli = join(tmp, 'cli');
    mkdirSync(cli);
    writeFileSync(join(cli, 'package.json'), '{ "private": true }\n');
    await npm(['install', '--prefer-offline', tarball['@rampart/schematics']], cli);
    const created = await sh(
      process.execPath,
      [
        join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'),
        'new',
        'my-server',
        '--collection',
        '@rampart/schematics',
        '--package-manager',
        'npm',
        '--skip-install',
        '--skip-git',
        '--no-observe',
      ],
      cli,
    );
    // eslint-disable-next-line no-control-regex
    expect(created.stdout.replace(/\x1b\[\d+m/g, '')).toContain(
      'CREATE my-server/src/echo/echo.tools.ts',
    );
    // Out of the CLI's folder, so that nothing resolves through its node_modules.
    renameSync(join(cli, 'my-server'), app);

    // The @rampart/* packages are not on the registry: the app installs them from the tarballs.
    const manifest = readJson(join(app, 'package.json'));
    for (const field of ['dependencies', 'devDependencies'])
      for (const name of Object.keys(manifest[field]))
        if (name.startsWith('@rampart/')) manifest[field][name] = `file:${tarball[name]}`;
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await npm(['install', '--prefer-offline'], app, 600_000);

    // One part of each kind, with the app's own Nest CLI and this collection (nest-cli.json).
    for (const args of [
      ['tool', 'lookup'],
      ['resource', 'notes'],
      ['prompt', 'review-code'],
      ['server', 'billing'],
      ['tool', 'invoice', 'billing'],
    ])
      await sh('npx', ['--no-install', 'nest', 'g', ...args], app);
  }, 1_200_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    if (process.env.RAMPART_KEEP_SCHEMATICS_TMP) process.stderr.write(`kept ${tmp}\n`);
    else rmSync(tmp, { recursive: true, force: true });
  });

  it('generates the files of the app and of each part, registered in their modules', () => {
    for (const file of [
      'README.md',
      'Dockerfile',
      '.gitignore',
      'src/main.ts',
      'test/app.e2e-spec.ts',
      'src/lookup/lookup.tools.ts',
      'src/notes/notes.resources.ts',
      'src/review-code/review-code.prompts.ts',
      'src/billing/billing.module.ts',
      'src/billing/invoice/invoice.tools.ts',
    ])
      expect([file, existsSync(join(app, file))]).toEqual([file, true]);
    const appModule = readFileSync(join(app, 'src/app.module.ts'), 'utf8');
    expect(appModule).toContain(
      'providers: [EchoTools, LookupTools, NotesResources, ReviewCodePrompts],',
    );
    expect(appModule).toContain('    BillingModule,\n  ],');
    expect(readFileSync(join(app, 'src/billing/billing.module.ts'), 'utf8')).toContain(
      'providers: [InvoiceTools],',
    );
  });

  it("passes the app's own npm test (its specs, and its e2e over HTTP and stdio)", async () => {
    const { stdout, stderr } = await npm(['test'], app, 600_000);
    const report = `${stdout}\n${stderr}`;
    // The e2e spec, and the specs of echo, lookup, notes, review-code, billing and invoice.
    expect(report).toMatch(/Test Suites: 7 passed, 7 total/);
    expect(report).toContain('PASS test/app.e2e-spec.ts');
  }, 600_000);

  it('builds, starts on a free port on 127.0.0.1, and answers over Streamable HTTP', async () => {
    await npm(['run', 'build'], app);
    const node = join(app, 'node_modules/.bin/node');
    server = spawn(node, ['dist/main.js'], {
      cwd: app,
      env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const endpoint = await new Promise<string>((found, failed) => {
      server!.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /my-server: MCP endpoint on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
        if (match) found(match[1]);
      });
      server!.once('exit', (code) => failed(new Error(`exited with ${code}:\n${stderr}`)));
    });

    const call = async (url: string, name: string, args: Record<string, unknown>) => {
      const client = new Client({ name: 'schematics-e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        const { tools } = await client.listTools();
        const result = await client.callTool({ name, arguments: args });
        return { tools: tools.map((tool) => tool.name).sort(), result };
      } finally {
        await client.close();
      }
    };
    const main = await call(endpoint, 'echo', { text: 'hello' });
    expect(main.tools).toEqual(['echo', 'invoice', 'lookup']);
    expect(main.result.content).toEqual([{ type: 'text', text: 'hello' }]);
    const billing = await call(endpoint.replace('/mcp', '/billing/mcp'), 'invoice', {
      text: 'bill',
    });
    expect(billing.result.content).toEqual([{ type: 'text', text: 'bill' }]);

    const base = endpoint.replace('/mcp', '');
    expect((await readinessAfterWarmUp(`${base}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/rampart_tool_calls_total\{[^}]*gen_ai_tool_name="echo"[^}]*\} 1/);

    // SIGTERM, as a container runtime stops it: the app closes, then Nest raises the signal
    // again, so the process ends by it (not by a crash, nor by SIGKILL in afterAll).
    server.kill('SIGTERM');
    const [code, signal] = (await once(server, 'exit')) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stderr).not.toMatch(/did not start|Error/);
  }, 120_000);
});
