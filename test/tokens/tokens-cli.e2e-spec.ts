import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { cliAppFixture, type CliAppFixture } from '../fixtures/cli-app.fixture';

/**
 * The definitions of the fixture's servers exactly as their lists send them (2026-07-28): what the
 * counts below are checked against, with gpt-tokenizer's o200k_base directly.
 */
const CATALOG = {
  tool: {
    name: 'search',
    description: 'Search the catalog',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        q: { type: 'string' },
        field: { type: 'string', enum: ['title', 'body'] },
      },
      required: ['q'],
    },
    annotations: { readOnlyHint: true },
  },
  resource: { uri: 'catalog://readme', mimeType: 'text/plain', name: 'readme' },
  resourceTemplate: {
    name: 'item',
    uriTemplate: 'catalog://items/{id}',
    description: 'One catalog item',
  },
  prompt: {
    name: 'card',
    description: 'A greeting card',
    arguments: [{ name: 'name', required: true }],
  },
};
const NOTES = {
  add_note: {
    name: 'add_note',
    description:
      'Adds a note to the notebook. The text is kept as written, in the order notes are added, and every later read returns it.',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    },
  },
  clear: {
    name: 'clear',
    description: 'Removes every note',
    inputSchema: { type: 'object', properties: {} },
  },
};
const tokensOf = (definition: object) => countTokens(JSON.stringify(definition));
const CATALOG_TOTAL = Object.values(CATALOG).reduce((sum, d) => sum + tokensOf(d), 0);
const NOTES_TOTAL = Object.values(NOTES).reduce((sum, d) => sum + tokensOf(d), 0);

/**
 * `rampart-tokens` as CI runs it: the package's bin, on the built `@rampart/core`, against a
 * fixture app with two servers compiled to a temporary directory (which finds the repo's packages
 * through NODE_PATH).
 */
describe('rampart-tokens (the CLI, on a built app)', () => {
  let cli: CliAppFixture;
  let dir: string;
  const budgetFile = (name = 'rampart.tokens.json') => join(dir, name);
  const writeBudgets = (servers: Record<string, { budget: number }>, name?: string) =>
    writeFileSync(budgetFile(name), JSON.stringify({ servers }));
  const run = (...args: string[]) => cli.run(...args);
  const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

  beforeAll(() => {
    cli = cliAppFixture('rampart-tokens', [join(__dirname, 'tokens.fixture.ts')], {
      'throws.js': "throw new Error('no config');",
    });
    dir = cli.dir;
  }, 60_000);
  afterAll(() => cli?.remove());

  it('counts each definition as its list sends it, with gpt-tokenizer o200k_base (--json)', () => {
    writeBudgets({ catalog: { budget: 1000 }, notes: { budget: 1000 } });
    const { code, stdout, stderr } = run('check', '--app', 'tokens.fixture.js#App', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ encoding: 'o200k_base', file: 'rampart.tokens.json' });
    expect(report.passed).toBe(true);
    const [catalog, notes] = report.servers;
    expect(catalog).toEqual({
      server: 'catalog',
      total: CATALOG_TOTAL,
      budget: 1000,
      status: 'within',
      kinds: {
        tool: { count: 1, tokens: tokensOf(CATALOG.tool) },
        resource: { count: 1, tokens: tokensOf(CATALOG.resource) },
        resourceTemplate: { count: 1, tokens: tokensOf(CATALOG.resourceTemplate) },
        prompt: { count: 1, tokens: tokensOf(CATALOG.prompt) },
      },
      // The most expensive first.
      definitions: [
        { kind: 'tool', name: 'search', tokens: tokensOf(CATALOG.tool) },
        { kind: 'prompt', name: 'card', tokens: tokensOf(CATALOG.prompt) },
        {
          kind: 'resourceTemplate',
          name: 'catalog://items/{id}',
          tokens: tokensOf(CATALOG.resourceTemplate),
        },
        { kind: 'resource', name: 'catalog://readme', tokens: tokensOf(CATALOG.resource) },
      ],
    });
    expect(notes.definitions).toEqual([
      { kind: 'tool', name: 'add_note', tokens: tokensOf(NOTES.add_note) },
      { kind: 'tool', name: 'clear', tokens: tokensOf(NOTES.clear) },
    ]);
    expect(notes.total).toBe(NOTES_TOTAL);
    // The reference count of these definitions, pinned: a change of tokenizer shows here.
    expect([CATALOG_TOTAL, NOTES_TOTAL]).toEqual([134, 98]);
  }, 30_000);

  it('update writes each server’s measured total with 20% headroom, or the headroom given', () => {
    rmSync(budgetFile(), { force: true });
    const written = run('update', '--app', 'tokens.fixture.js#App');
    expect(written.code).toBe(0);
    expect(lastLine(written.stdout)).toBe(
      `rampart-tokens: wrote rampart.tokens.json with 20% headroom: catalog ${CATALOG_TOTAL} tokens, budget ${Math.ceil(CATALOG_TOTAL * 1.2)}; notes ${NOTES_TOTAL} tokens, budget ${Math.ceil(NOTES_TOTAL * 1.2)}`,
    );
    expect(JSON.parse(readFileSync(budgetFile(), 'utf8'))).toEqual({
      encoding: 'o200k_base',
      servers: {
        catalog: { budget: Math.ceil(CATALOG_TOTAL * 1.2), measured: CATALOG_TOTAL },
        notes: { budget: Math.ceil(NOTES_TOTAL * 1.2), measured: NOTES_TOTAL },
      },
    });
    const tighter = run('update', '--app', 'tokens.fixture.js#App', '--headroom', '0');
    expect(lastLine(tighter.stdout)).toBe(
      `rampart-tokens: wrote rampart.tokens.json with 0% headroom: catalog ${CATALOG_TOTAL} tokens, budget ${CATALOG_TOTAL} (was ${Math.ceil(CATALOG_TOTAL * 1.2)}); notes ${NOTES_TOTAL} tokens, budget ${NOTES_TOTAL} (was ${Math.ceil(NOTES_TOTAL * 1.2)})`,
    );
    // A budget equal to the total passes.
    expect(run('check', '--app', 'tokens.fixture.js#App').code).toBe(0);
  }, 60_000);

  it('check within budget: exit 0, a table per server and per primitive, sorted, with totals', () => {
    writeBudgets({ catalog: { budget: 200 }, notes: { budget: 100 } });
    const { code, stdout, stderr } = run('check', '--app', 'tokens.fixture.js#App');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const t = (d: object) => String(tokensOf(d));
    expect(stdout.split('\n')).toEqual([
      `catalog: ${CATALOG_TOTAL} tokens of a budget of 200 (${Math.round((CATALOG_TOTAL / 200) * 100)}%)`,
      '  tokens  kind               name',
      `      ${t(CATALOG.tool).padStart(2)}  tool               search`,
      `      ${t(CATALOG.prompt).padStart(2)}  prompt             card`,
      `      ${t(CATALOG.resourceTemplate).padStart(2)}  resource template  catalog://items/{id}`,
      `      ${t(CATALOG.resource).padStart(2)}  resource           catalog://readme`,
      '',
      '  tokens  count  primitive',
      `      ${t(CATALOG.tool).padStart(2)}      1  tools`,
      `      ${t(CATALOG.resource).padStart(2)}      1  resources`,
      `      ${t(CATALOG.resourceTemplate).padStart(2)}      1  resource templates`,
      `      ${t(CATALOG.prompt).padStart(2)}      1  prompts`,
      `     ${CATALOG_TOTAL}      4  total`,
      '',
      `notes: ${NOTES_TOTAL} tokens of a budget of 100 (${Math.round((NOTES_TOTAL / 100) * 100)}%)`,
      '  tokens  kind  name',
      `      ${t(NOTES.add_note).padStart(2)}  tool  add_note`,
      `      ${t(NOTES.clear).padStart(2)}  tool  clear`,
      '',
      '  tokens  count  primitive',
      `      ${String(NOTES_TOTAL).padStart(2)}      2  tools`,
      '       0      0  resources',
      '       0      0  resource templates',
      '       0      0  prompts',
      `      ${String(NOTES_TOTAL).padStart(2)}      2  total`,
      '',
      `rampart-tokens: every server is within its budget in rampart.tokens.json (catalog ${CATALOG_TOTAL}/200, notes ${NOTES_TOTAL}/100; o200k_base)`,
      '',
    ]);
  }, 30_000);

  it('fails on an over-budget server: exit 1, naming the server, its total and its budget', () => {
    writeBudgets({ catalog: { budget: 200 }, notes: { budget: NOTES_TOTAL - 1 } });
    const { code, stdout, stderr } = run('check', '--app', 'tokens.fixture.js#App');
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(lastLine(stdout)).toBe(
      `rampart-tokens: server "notes" is over its token budget: its definitions cost ${NOTES_TOTAL} tokens, the budget in rampart.tokens.json is ${NOTES_TOTAL - 1} (1 over). Shorten descriptions and schemas, or raise the budget in rampart.tokens.json`,
    );
    expect(stdout).not.toContain('every server is within its budget');
    // With --json, stdout stays JSON and the verdict goes to stderr.
    const json = run('check', '--app', 'tokens.fixture.js#App', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.passed).toBe(false);
    expect(report.servers.map((s: { status: string }) => s.status)).toEqual(['within', 'over']);
    expect(json.stderr).toContain(`server "notes" is over its token budget`);
  }, 60_000);

  it('fails on a server the file sets no budget for, and says how to set one', () => {
    writeBudgets({ catalog: { budget: 200 } }, 'partial.json');
    const { code, stdout } = run(
      'check',
      '--app',
      'tokens.fixture.js#App',
      '--file',
      'partial.json',
    );
    expect(code).toBe(1);
    expect(lastLine(stdout)).toBe(
      'rampart-tokens: server "notes" has no budget in partial.json (`servers.notes.budget`): set one, or run `rampart-tokens update --app tokens.fixture.js#App --file partial.json`',
    );
  }, 30_000);

  describe('bad input: exit 2 and a message that says what to do', () => {
    const error = (...args: string[]) => {
      const { code, stdout, stderr } = run(...args);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      return stderr.trimEnd();
    };

    it('a missing budget file', () => {
      expect(error('check', '--app', 'tokens.fixture.js#App', '--file', 'none.json')).toBe(
        'rampart-tokens: there is no budget file at none.json: write it with `rampart-tokens update --app tokens.fixture.js#App --file none.json` and commit it',
      );
    });

    it('a budget file that is not JSON, or not a budget file', () => {
      writeFileSync(budgetFile('bad.json'), '{ "servers": ');
      expect(error('check', '--app', 'tokens.fixture.js#App', '--file', 'bad.json')).toMatch(
        /^rampart-tokens: bad\.json is not a rampart-tokens budget file: invalid JSON \(.+\)\. Expected \{ "servers": \{ "<server>": \{ "budget": <tokens> \} \} \}$/,
      );
      writeFileSync(budgetFile('bad.json'), '{ "servers": { "catalog": { "budget": "lots" } } }');
      expect(error('check', '--app', 'tokens.fixture.js#App', '--file', 'bad.json')).toBe(
        'rampart-tokens: bad.json is not a rampart-tokens budget file: servers.catalog.budget must be a whole number of tokens, got "lots". Expected { "servers": { "<server>": { "budget": <tokens> } } }',
      );
    });

    it('a budget for a server the app does not have', () => {
      writeBudgets({ catalog: { budget: 200 }, notes: { budget: 200 }, note: { budget: 50 } });
      expect(error('check', '--app', 'tokens.fixture.js#App')).toBe(
        'rampart-tokens: rampart.tokens.json sets a budget for server "note", which the app does not have (its servers: catalog, notes): fix the name or remove the entry',
      );
    }, 30_000);

    it('an app that is missing, throws when loaded, fails to boot, or has no server', () => {
      writeBudgets({ catalog: { budget: 200 } });
      expect(error('check', '--app', 'missing.js')).toBe(
        `rampart-tokens: --app names ${join(dir, 'missing.js')}, which does not exist: build the app first and point --app at its built module file`,
      );
      expect(error('check', '--app', 'throws.js')).toBe(
        `rampart-tokens: could not load ${join(dir, 'throws.js')}: no config`,
      );
      expect(error('check', '--app', 'tokens.fixture.js#Broken')).toBe(
        'rampart-tokens: tokens.fixture.js#Broken did not boot: the database is not configured',
      );
      expect(error('check', '--app', 'tokens.fixture.js#Empty')).toBe(
        'rampart-tokens: tokens.fixture.js#Empty booted without any McpModule server: import McpModule.forRoot() in the module it names',
      );
    }, 60_000);

    it('bad arguments', () => {
      expect(error('check')).toBe(
        'rampart-tokens: --app <file>[#<export>] is required.\nRun rampart-tokens --help for the usage.',
      );
      expect(error('count', '--app', 'x.js')).toBe(
        'rampart-tokens: Unknown command "count": use check or update.\nRun rampart-tokens --help for the usage.',
      );
      expect(error('update', '--app', 'x.js', '--headroom', 'ten')).toBe(
        'rampart-tokens: --headroom must be a percentage from 0 to 1000, got "ten".\nRun rampart-tokens --help for the usage.',
      );
    });
  });
});
