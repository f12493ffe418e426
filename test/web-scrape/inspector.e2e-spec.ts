import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { appEnv, builtWebScrape, stripAnsi } from './built-app';
import { ARTICLE_TEXT, FIXTURE_EGRESS_ENV, FixtureSite, LARGE_TEXT } from './fixture-site';

/**
 * The official MCP Inspector's CLI mode (`mcp-inspector --cli`, 2.x) against the built app, as a
 * user would smoke-test a server. The package's postinstall (`scripts/install-clients.mjs`) only
 * installs per-client dependencies in a source checkout and exits at once under node_modules; the
 * published bundles need nothing from it, so the CLI works without install scripts.
 *
 * Each CLI call is a Node process that loads a large bundle (about 0.7 s of CPU), and over stdio
 * it spawns the app as well (about 1.5 s more): these tests are bounded by process starts, not by
 * the server. So the CLI's own entry runs directly (`clients/cli/build/index.js`, what
 * `mcp-inspector --cli` imports, without the launcher or npx in front), the HTTP tests share one
 * server, each test makes one or two calls, one after the other, and each test's time limit is
 * the CLI's own limit times the calls it makes.
 */
const INSPECTOR_CLI = (() => {
  const root = dirname(require.resolve('@modelcontextprotocol/inspector/package.json'));
  const entry = join(root, 'clients', 'cli', 'build', 'index.js');
  if (!existsSync(entry)) throw new Error(`The Inspector CLI's entry is not at ${entry}`);
  return entry;
})();

/** Longest run of one CLI call (with its stdio server's boot), in milliseconds. */
const CLI_TIMEOUT_MS = 20_000;
/** Time limit of a test that makes `calls` CLI calls one after the other. */
const budget = (calls: number) => calls * CLI_TIMEOUT_MS + 5_000;

/** The app's tools, by name. */
const TOOLS = [
  'batch_scrape',
  'cancel_task',
  'crawl_site',
  'get_metrics',
  'get_task_result',
  'get_task_status',
  'scrape_url',
];

/** The app's environment for a stdio server the CLI starts: the loopback fixture allowed. */
const STDIO_ENV = Object.entries(FIXTURE_EGRESS_ENV).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/** Exit code of the Inspector CLI when a tool answered `isError: true` (its documented exit-code map). */
const EXIT_TOOL_IS_ERROR = 5;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

let site: FixtureSite;
let main: string;
let home: string;

/** Runs `mcp-inspector --cli --format json -q <args>`, with a private HOME and a time limit. */
function inspector(args: string[], target: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        INSPECTOR_CLI,
        '--format',
        'json',
        '-q',
        '--connect-timeout',
        '10000',
        ...args,
        '--',
        ...target,
      ],
      // The Inspector keeps its catalog and storage under HOME: never the developer's own.
      {
        env: { ...process.env, HOME: home, USERPROFILE: home, NO_COLOR: '1' },
        timeout: CLI_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        let json: unknown;
        try {
          json = JSON.parse(stdout || stderr);
        } catch {
          json = undefined;
        }
        resolve({
          code: error ? ((error as { code?: unknown }).code as number | null) : 0,
          stdout,
          stderr,
          json,
        });
      },
    );
  });
}

/**
 * Checks that `--protocol-era` took effect: 2026-07-28 results carry the server's identity in
 * `_meta` (there is no initialize to carry it); 2025-11-25 results do not.
 */
function expectEra(result: { _meta?: Record<string, unknown> }, era: 'legacy' | 'modern'): void {
  const serverInfo = result._meta?.['io.modelcontextprotocol/serverInfo'];
  if (era === 'modern') expect(serverInfo).toMatchObject({ name: 'web-scrape' });
  else expect(serverInfo).toBeUndefined();
}

const callArgs = (args: Record<string, unknown>) => [
  '--method',
  'tools/call',
  '--tool-name',
  'scrape_url',
  '--tool-args-json',
  JSON.stringify(args),
];

beforeAll(async () => {
  main = builtWebScrape();
  home = mkdtempSync(join(tmpdir(), 'rampart-inspector-'));
  site = await new FixtureSite().start();
});
afterAll(async () => {
  await site?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('MCP Inspector CLI against web-scrape over HTTP', () => {
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    server = spawn(process.execPath, [main], {
      env: appEnv({ PORT: '0', HOST: '127.0.0.1', NO_COLOR: '1', ...FIXTURE_EGRESS_ENV }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`web-scrape did not start within 15 s:\n${out}`)),
        15_000,
      );
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const found = /MCP endpoint on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stripAnsi(out));
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`web-scrape exited with ${code} before listening:\n${out}`));
      });
    });
  }, 20_000);

  afterAll(async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    const force = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  }, 10_000);

  describe.each(['legacy', 'modern'] as const)('in the %s era', (era) => {
    const run = (args: string[]) => inspector(['--protocol-era', era, ...args], [url]);

    it(
      'lists scrape_url',
      async () => {
        const { code, json } = await run(['--method', 'tools/list']);
        expect(code).toBe(0);
        expect(json.result.tools.map((t: { name: string }) => t.name).sort()).toEqual(TOOLS);
      },
      budget(1),
    );

    it(
      'calls scrape_url and gets the page text',
      async () => {
        const { code, json } = await run(callArgs({ url: `${site.url}/article` }));
        expect(code).toBe(0);
        expect(json.result.content).toEqual([{ type: 'text', text: ARTICLE_TEXT }]);
        expectEra(json.result, era);
      },
      budget(1),
    );

    it(
      'follows the resource link of a large page with resources/read',
      async () => {
        const call = await run(callArgs({ url: `${site.url}/large`, maxChars: 40 }));
        expect(call.code).toBe(0);
        const link = call.json.result.content.find(
          (b: { type: string }) => b.type === 'resource_link',
        );
        expect(link.uri).toMatch(/^rampart:\/\/resources\//);
        const read = await run(['--method', 'resources/read', '--uri', link.uri]);
        expect(read.code).toBe(0);
        expect(read.json.result.contents).toEqual([
          { uri: link.uri, mimeType: 'text/plain', text: LARGE_TEXT },
        ]);
      },
      budget(2),
    );
  });
});

describe('MCP Inspector CLI against web-scrape over stdio', () => {
  // Each call starts its own server: one call per test.
  const target = () => [process.execPath, main, '--stdio'];

  describe.each(['legacy', 'modern'] as const)('in the %s era', (era) => {
    const run = (args: string[]) =>
      inspector(['--protocol-era', era, ...STDIO_ENV, ...args], target());

    it(
      'lists scrape_url',
      async () => {
        const { code, json } = await run(['--method', 'tools/list']);
        expect(code).toBe(0);
        expect(json.result.tools.map((t: { name: string }) => t.name).sort()).toEqual(TOOLS);
      },
      budget(1),
    );

    it(
      'calls scrape_url and gets the page text',
      async () => {
        const { code, json } = await run(callArgs({ url: `${site.url}/article` }));
        expect(code).toBe(0);
        expect(json.result.content).toEqual([{ type: 'text', text: ARTICLE_TEXT }]);
        expectEra(json.result, era);
      },
      budget(1),
    );
  });

  it(
    'reports a tool error (isError) through its exit code',
    async () => {
      const { code, stdout } = await inspector(
        callArgs({ url: 'not a url', format: 'pdf' }),
        target(),
      );
      expect(code).toBe(EXIT_TOOL_IS_ERROR);
      const result = JSON.parse(stdout).result;
      expect(result.isError).toBe(true);
      expect(JSON.parse(result.content[0].text)).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    },
    budget(1),
  );
});
