import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTokensCommand, TokensExitCode, type TokensLoader } from './tokens-command';
import { TOKENS_USAGE } from './tokens-messages.constant';
import type { ServerTokens } from './tokens.interfaces';

const server = (name: string, tokens: number[]): ServerTokens => ({
  server: name,
  total: tokens.reduce((a, b) => a + b, 0),
  kinds: {
    tool: { count: tokens.length, tokens: tokens.reduce((a, b) => a + b, 0) },
    resource: { count: 0, tokens: 0 },
    resourceTemplate: { count: 0, tokens: 0 },
    prompt: { count: 0, tokens: 0 },
  },
  definitions: tokens.map((t, i) => ({ kind: 'tool', name: `tool_${i}`, tokens: t })),
});

describe('runTokensCommand', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const loads: string[] = [];
  const load: TokensLoader = (spec) => {
    loads.push(spec);
    return Promise.resolve([server('a', [60, 40]), server('b', [10])]);
  };
  const run = (...argv: string[]) =>
    runTokensCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir }, load);
  const file = (text: string) => writeFileSync(join(dir, 'rampart.tokens.json'), text);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-tokens-command-'));
    out = [];
    err = [];
    loads.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints the usage and boots nothing', async () => {
    expect(await run('--help')).toBe(TokensExitCode.Passed);
    expect(out).toEqual([TOKENS_USAGE]);
    expect(loads).toEqual([]);
  });

  it('check reads the file before it boots the app: a missing file costs no boot', async () => {
    expect(await run('check', '--app', 'app.js')).toBe(TokensExitCode.Error);
    expect(loads).toEqual([]);
    expect(err[0]).toMatch(/^rampart-tokens: there is no budget file at rampart\.tokens\.json/);
  });

  it('a budget equal to the total passes; one token less fails', async () => {
    file('{ "servers": { "a": { "budget": 100 }, "b": { "budget": 10 } } }');
    expect(await run('check', '--app', 'app.js')).toBe(TokensExitCode.Passed);
    file('{ "servers": { "a": { "budget": 100 }, "b": { "budget": 9 } } }');
    expect(await run('check', '--app', 'app.js')).toBe(TokensExitCode.Failed);
    expect(out.at(-1)).toContain(
      'server "b" is over its token budget: its definitions cost 10 tokens, the budget in rampart.tokens.json is 9 (1 over)',
    );
  });

  it('update drops the budgets of servers the app no longer has, and says so', async () => {
    file('{ "servers": { "a": { "budget": 500 }, "gone": { "budget": 5 } } }');
    expect(await run('update', '--app', 'app.js', '--headroom', '10')).toBe(TokensExitCode.Passed);
    expect(out.at(-1)).toBe(
      'rampart-tokens: wrote rampart.tokens.json with 10% headroom: a 100 tokens, budget 110 (was 500); b 10 tokens, budget 11; dropped gone, which the app does not have',
    );
    expect(JSON.parse(readFileSync(join(dir, 'rampart.tokens.json'), 'utf8')).servers).toEqual({
      a: { budget: 110, measured: 100 },
      b: { budget: 11, measured: 10 },
    });
    out = [];
    expect(await run('update', '--app', 'app.js', '--headroom', '10')).toBe(TokensExitCode.Passed);
    expect(out.at(-1)).toMatch(
      /^rampart-tokens: rampart\.tokens\.json is up to date with 10% headroom/,
    );
  });

  it('update --json prints the new budgets as JSON', async () => {
    expect(await run('update', '--app', 'app.js', '--json')).toBe(TokensExitCode.Passed);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ encoding: 'o200k_base', written: true, headroomPercent: 20 });
    expect(report.servers.map((s: { budget: number }) => s.budget)).toEqual([120, 12]);
  });

  it('refuses options that do not apply, and extra arguments', async () => {
    expect(await run('check', '--app', 'app.js', '--headroom', '5')).toBe(TokensExitCode.Error);
    expect(await run('check', 'more', '--app', 'app.js')).toBe(TokensExitCode.Error);
    expect(await run('check', '--app', 'app.js', '--budget', '5')).toBe(TokensExitCode.Error);
    expect(err.map((line) => line.split('\n')[0])).toEqual([
      'rampart-tokens: --headroom applies to update only.',
      'rampart-tokens: Unexpected argument "more".',
      "rampart-tokens: Unknown option '--budget'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--budget\"",
    ]);
    expect(loads).toEqual([]);
  });
});
