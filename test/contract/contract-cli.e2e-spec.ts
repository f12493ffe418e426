import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliAppFixture, lines, type CliAppFixture } from '../fixtures/cli-app.fixture';

/** The exit code and output lines of one run of the CLI. */
interface Run {
  code: number | null;
  stdout: string[];
  stderr: string;
}

/**
 * `rampart-contract` as CI runs it: the package's bin, on the built `@rampart/core`, against a
 * fixture app compiled to a temporary directory (which finds the repo's packages through
 * NODE_PATH), in four builds: unchanged, a compatible change, a breaking change, and the breaking
 * change with the version raised and the old shape kept deprecated.
 */
describe('rampart-contract (the CLI, on a built app)', () => {
  let cli: CliAppFixture;
  const contractFile = () => join(cli.dir, 'rampart.contract.json');

  const run = (...args: string[]): Run => {
    const result = cli.run(...args);
    return { ...result, stdout: lines(result.stdout) };
  };
  const check = (build: string, ...more: string[]) =>
    run('check', '--app', `catalog.fixture.js#${build}`, ...more);

  beforeAll(() => {
    cli = cliAppFixture('rampart-contract', [join(__dirname, 'catalog.fixture.ts')]);
    // The snapshot every check below compares against: the first build.
    const written = run('update', '--app', 'catalog.fixture.js#Unchanged');
    expect(written).toEqual({
      code: 0,
      stdout: [
        'rampart-contract: wrote rampart.contract.json (1 server: 1 tool, 1 resource, 0 resource templates, 1 prompt)',
      ],
      stderr: '',
    });
  }, 60_000);
  afterAll(() => cli?.remove());

  it('wrote the snapshot of the first build: the tool with its schema, the resource, the prompt', () => {
    const contract = JSON.parse(readFileSync(contractFile(), 'utf8'));
    expect(contract.servers.catalog.tools.search).toEqual({
      description: 'Search the catalog',
      annotations: { readOnlyHint: true },
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          q: { type: 'string' },
          field: { type: 'string', enum: ['title', 'body'] },
        },
        required: ['q'],
      },
    });
    expect(Object.keys(contract.servers.catalog.resources)).toEqual(['catalog://readme']);
    expect(contract.servers.catalog.prompts.card.arguments).toEqual([
      { name: 'name', required: true },
    ]);
  });

  it.each(['Unchanged', 'UnchangedDynamic.forRoot', 'createUnchanged'])(
    'unchanged (%s): exit 0, the build matches',
    (build) => {
      expect(check(build)).toEqual({
        code: 0,
        stdout: [
          'rampart-contract: the build matches rampart.contract.json (1 server: 1 tool, 1 resource, 0 resource templates, 1 prompt)',
        ],
        stderr: '',
      });
    },
    30_000,
  );

  it('a compatible change: exit 0 with each change and a note that the snapshot is out of date; --strict fails', () => {
    const lines = [
      'COMPATIBLE tool search: description changed',
      'COMPATIBLE tool search: input property "limit" added (optional)',
      'rampart-contract: no refused breaking change, but rampart.contract.json is out of date (2 compatible changes): run `rampart-contract update --app catalog.fixture.js#Compatible --file rampart.contract.json` and commit it',
    ];
    expect(check('Compatible')).toEqual({ code: 0, stdout: lines, stderr: '' });
    const strict = check('Compatible', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout.at(-1)).toBe(`${lines[2]} (--strict: failing)`);
  }, 30_000);

  it('a breaking change: exit 1, one line per change; update refuses to record it', () => {
    expect(check('Breaking')).toEqual({
      code: 1,
      stdout: [
        'BREAKING tool search: input property "field": enum values removed: "body"',
        '  to pass: raise the major version and keep serving the old shape, deprecated, under another name',
        'BREAKING tool search: input property "q" removed',
        'BREAKING tool search: input property "query" added (required)',
        "rampart-contract: 3 breaking changes against rampart.contract.json. A breaking change passes only when the primitive's major version is raised and its old shape is still served, deprecated, under another name; a primitive may go once a committed snapshot shows it deprecated (docs/contracts.md).",
      ],
      stderr: '',
    });
    const before = readFileSync(contractFile(), 'utf8');
    const update = run('update', '--app', 'catalog.fixture.js#Breaking');
    expect(update.code).toBe(1);
    expect(update.stdout.at(-1)).toBe(
      'rampart-contract: rampart.contract.json not written: 3 breaking changes the rules do not accept. Fix them (docs/contracts.md), or record them anyway with --allow-breaking.',
    );
    expect(readFileSync(contractFile(), 'utf8')).toBe(before);
  }, 30_000);

  it('the breaking change with the version raised and the old shape deprecated: exit 0, accepted', () => {
    const accepted =
      '(accepted: version 1 (none declared) → 2; the old shape is served deprecated as tool search_v1)';
    expect(check('Bumped')).toEqual({
      code: 0,
      stdout: [
        `ACCEPTED tool search: input property "field": enum values removed: "body" ${accepted}`,
        `ACCEPTED tool search: input property "q" removed ${accepted}`,
        `ACCEPTED tool search: input property "query" added (required) ${accepted}`,
        'COMPATIBLE tool search: version changed from 1 (none declared) to 2',
        'COMPATIBLE tool search_v1: added (version 1, deprecated)',
        'rampart-contract: no refused breaking change, but rampart.contract.json is out of date (2 compatible changes and 3 accepted breaking changes): run `rampart-contract update --app catalog.fixture.js#Bumped --file rampart.contract.json` and commit it',
      ],
      stderr: '',
    });
  }, 30_000);

  it('cannot run: exit 2 and one line on stderr, for an export the file lacks or a file that is not there', () => {
    const missingExport = check('Nope');
    expect(missingExport.code).toBe(2);
    expect(missingExport.stdout).toEqual([]);
    expect(missingExport.stderr).toMatch(
      /^rampart-contract: .*catalog\.fixture\.js has no export Nope; it exports .*Unchanged.*: name the module with --app/,
    );
    const missingFile = run('check', '--app', 'dist/nothing.js');
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(
      /^rampart-contract: --app names .*dist\/nothing\.js, which does not exist: build the app first/,
    );
  }, 30_000);
});
