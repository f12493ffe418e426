import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContractError } from './contract.error';
import type { McpContract, ToolContract } from './contract.interfaces';
import { runContractCommand } from './contract-command';
import { CONTRACT_USAGE } from './contract-messages.constant';
import { serializeContract } from './contract-snapshot';

const input = (props: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties: props,
  required,
});
const contractWith = (tools: Record<string, ToolContract>): McpContract => ({
  rampartContract: 1,
  servers: { shop: { tools, resources: {}, resourceTemplates: {}, prompts: {} } },
});
const V1 = contractWith({ search: { inputSchema: input({ q: { type: 'string' } }, ['q']) } });
const COMPATIBLE = contractWith({
  search: { inputSchema: input({ q: { type: 'string' }, page: { type: 'integer' } }, ['q']) },
});
const BREAKING = contractWith({ search: { inputSchema: input({ query: {} }, ['query']) } });
const BUMPED = contractWith({
  search: { version: '2', inputSchema: input({ query: {} }, ['query']) },
  search_v1: { ...V1.servers.shop.tools.search, version: '1', deprecated: {} },
});

describe('runContractCommand', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  /** Runs the command on an app whose contract is `build`. */
  const run = (build: McpContract | Error, ...argv: string[]) =>
    runContractCommand(
      argv,
      { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir },
      async () => {
        if (build instanceof Error) throw build;
        return build;
      },
    );
  const file = () => join(dir, 'rampart.contract.json');
  const app = ['--app', 'dist/app.module.js#AppModule'];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-contract-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage with --help', async () => {
    expect(await run(V1, '--help')).toBe(0);
    expect(out).toEqual([CONTRACT_USAGE]);
  });

  it.each([
    [[], 'Give a command: check or update.'],
    [['diff', ...app], 'Unknown command "diff": use check or update.'],
    [['check'], '--app <file>[#<export>] is required.'],
    [['check', 'extra', ...app], 'Unexpected argument "extra".'],
    [['update', '--strict', ...app], '--strict applies to check only.'],
    [['check', '--allow-breaking', ...app], '--allow-breaking applies to update only.'],
    [['check', '--verbose', ...app], "Unknown option '--verbose'"],
  ])('refuses %j with exit code 2', async (argv, problem) => {
    expect(await run(V1, ...argv)).toBe(2);
    expect(err.join('\n')).toContain(`rampart-contract: ${problem}`);
    expect(err.join('\n')).toContain('Run rampart-contract --help for the usage.');
  });

  it('fails a check without a contract file, saying how to write one', async () => {
    expect(await run(V1, 'check', ...app)).toBe(1);
    expect(err).toEqual([
      'rampart-contract: there is no contract file at rampart.contract.json: write it with `rampart-contract update --app dist/app.module.js#AppModule --file rampart.contract.json` and commit it',
    ]);
  });

  it('writes the file, then passes the check of the same build', async () => {
    expect(await run(V1, 'update', ...app)).toBe(0);
    expect(out).toEqual([
      'rampart-contract: wrote rampart.contract.json (1 server: 1 tool, 0 resources, 0 resource templates, 0 prompts)',
    ]);
    expect(readFileSync(file(), 'utf8')).toBe(serializeContract(V1));
    out = [];
    expect(await run(V1, 'check', ...app)).toBe(0);
    expect(out).toEqual([
      'rampart-contract: the build matches rampart.contract.json (1 server: 1 tool, 0 resources, 0 resource templates, 0 prompts)',
    ]);
    out = [];
    expect(await run(V1, 'update', ...app)).toBe(0);
    expect(out).toEqual([
      'rampart-contract: rampart.contract.json is up to date (1 server: 1 tool, 0 resources, 0 resource templates, 0 prompts)',
    ]);
  });

  it('passes compatible changes and says the file is out of date; --strict fails them', async () => {
    writeFileSync(file(), serializeContract(V1));
    expect(await run(COMPATIBLE, 'check', ...app)).toBe(0);
    expect(out).toEqual([
      'COMPATIBLE tool search: input property "page" added (optional)',
      'rampart-contract: no refused breaking change, but rampart.contract.json is out of date (1 compatible change): run `rampart-contract update --app dist/app.module.js#AppModule --file rampart.contract.json` and commit it',
    ]);
    out = [];
    expect(await run(COMPATIBLE, 'check', '--strict', ...app)).toBe(1);
    expect(out[1]).toMatch(/out of date .* \(--strict: failing\)$/);
    expect(await run(COMPATIBLE, 'update', ...app)).toBe(0);
    expect(readFileSync(file(), 'utf8')).toBe(serializeContract(COMPATIBLE));
  });

  it('fails breaking changes, and update refuses to record them without --allow-breaking', async () => {
    writeFileSync(file(), serializeContract(V1));
    expect(await run(BREAKING, 'check', '--file', 'rampart.contract.json', ...app)).toBe(1);
    expect(out).toEqual([
      'BREAKING tool search: input property "q" removed',
      '  to pass: raise the major version and keep serving the old shape, deprecated, under another name',
      'BREAKING tool search: input property "query" added (required)',
      "rampart-contract: 2 breaking changes against rampart.contract.json. A breaking change passes only when the primitive's major version is raised and its old shape is still served, deprecated, under another name; a primitive may go once a committed snapshot shows it deprecated (docs/contracts.md).",
    ]);
    out = [];
    expect(await run(BREAKING, 'update', ...app)).toBe(1);
    expect(out.at(-1)).toBe(
      'rampart-contract: rampart.contract.json not written: 2 breaking changes the rules do not accept. Fix them (docs/contracts.md), or record them anyway with --allow-breaking.',
    );
    expect(readFileSync(file(), 'utf8')).toBe(serializeContract(V1));
    out = [];
    expect(await run(BREAKING, 'update', '--allow-breaking', ...app)).toBe(0);
    expect(out.at(-1)).toBe(
      'rampart-contract: wrote rampart.contract.json (1 server: 1 tool, 0 resources, 0 resource templates, 0 prompts), with 2 breaking changes (--allow-breaking)',
    );
    expect(readFileSync(file(), 'utf8')).toBe(serializeContract(BREAKING));
  });

  it('passes a breaking change with the version raised and the old shape served deprecated', async () => {
    writeFileSync(file(), serializeContract(V1));
    expect(await run(BUMPED, 'check', ...app)).toBe(0);
    expect(out).toEqual([
      'ACCEPTED tool search: input property "q" removed (accepted: version 1 (none declared) → 2; the old shape is served deprecated as tool search_v1)',
      'ACCEPTED tool search: input property "query" added (required) (accepted: version 1 (none declared) → 2; the old shape is served deprecated as tool search_v1)',
      'COMPATIBLE tool search: version changed from 1 (none declared) to 2',
      'COMPATIBLE tool search_v1: added (version 1, deprecated)',
      'rampart-contract: no refused breaking change, but rampart.contract.json is out of date (2 compatible changes and 2 accepted breaking changes): run `rampart-contract update --app dist/app.module.js#AppModule --file rampart.contract.json` and commit it',
    ]);
  });

  it('names the server of each change when there are several', async () => {
    const servers = (admin: McpContract): McpContract => ({
      rampartContract: 1,
      servers: { shop: V1.servers.shop, admin: admin.servers.shop },
    });
    writeFileSync(file(), serializeContract(servers(V1)));
    expect(await run(servers(COMPATIBLE), 'check', ...app)).toBe(0);
    expect(out[0]).toBe(
      'COMPATIBLE tool search (server admin): input property "page" added (optional)',
    );
    expect(out[1]).toContain('(1 compatible change)');
  });

  it('exits 2 on a contract file it cannot read, or an app that does not load', async () => {
    writeFileSync(file(), '{');
    expect(await run(V1, 'check', ...app)).toBe(2);
    expect(err[0]).toMatch(
      /^rampart-contract: rampart.contract.json is not a rampart contract file: /,
    );
    err = [];
    expect(
      await run(new ContractError('dist/app.module.js did not boot: no'), 'check', ...app),
    ).toBe(2);
    expect(err).toEqual(['rampart-contract: dist/app.module.js did not boot: no']);
  });
});
