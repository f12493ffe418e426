import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { badAppCommandArguments, parseAppCommandArguments } from '../cli/app-command-arguments';
import { o200kCounter, TOKEN_ENCODING } from './tokenizer';
import { loadAppTokens, TOKENS_COMMAND } from './tokens-app';
import { budgetWithHeadroom, parseTokenBudgets, serializeTokenBudgets } from './tokens-budget';
import {
  TOKENS_FILE_MISSING,
  TOKENS_FILE_UNREADABLE,
  TOKENS_NO_BUDGET,
  TOKENS_OVER_BUDGET,
  TOKENS_UNKNOWN_SERVER,
  TOKENS_USAGE,
} from './tokens-messages.constant';
import { serverTokenLines } from './tokens-report';
import { isTokensError, TokensError } from './tokens.error';
import type { ServerTokenBudget, ServerTokens, TokenBudgets } from './tokens.interfaces';

/** The budget file used when `--file` names none, in the working directory. */
export const DEFAULT_TOKENS_FILE = 'rampart.tokens.json';

/** The headroom `update` leaves above the measured totals when `--headroom` sets none, in percent. */
export const DEFAULT_TOKENS_HEADROOM_PERCENT = 20;

/** Exit codes of `rampart-tokens`. */
export const TokensExitCode = {
  /** Every server is within its budget, or the file was written. */
  Passed: 0,
  /** A server is over its budget, or has none. */
  Failed: 1,
  /**
   * The command could not run: bad arguments, a missing or invalid budget file, an app that does
   * not load or boot, a budget for a server the app does not have, no tokenizer.
   */
  Error: 2,
} as const;

/** Where the command writes, and from where it resolves relative paths. */
export interface TokensCommandIo {
  /** The report (tables, or the JSON with `--json`). */
  out: (line: string) => void;
  /** Why the command could not run, and (with `--json`) why a check failed. */
  err: (line: string) => void;
  /** @default process.cwd() */
  cwd?: string;
}

/** How the command measures an app: {@link loadAppTokens} unless a test says otherwise. */
export type TokensLoader = (spec: string, cwd: string) => Promise<ServerTokens[]>;

interface Parsed {
  command: 'check' | 'update';
  app: string;
  file: string;
  json: boolean;
  headroom: number;
}

/** A server's verdict in a check. */
type Status = 'within' | 'over' | 'unbudgeted';

function parse(argv: string[]): Parsed | 'help' {
  const args = parseAppCommandArguments(argv, TOKENS_COMMAND, DEFAULT_TOKENS_FILE, {
    headroom: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (args === 'help') return 'help';
  const { command, app, file, values } = args;
  let headroom = DEFAULT_TOKENS_HEADROOM_PERCENT;
  if (values.headroom !== undefined) {
    if (command !== 'update')
      throw badAppCommandArguments(TOKENS_COMMAND, '--headroom applies to update only.');
    headroom = Number(values.headroom);
    if (!/^\d+(\.\d+)?$/.test(String(values.headroom)) || headroom > 1000)
      throw badAppCommandArguments(
        TOKENS_COMMAND,
        `--headroom must be a percentage from 0 to 1000, got "${String(values.headroom)}".`,
      );
  }
  return { command, app, file, json: values.json === true, headroom };
}

function readBudgets(path: string, shown: string): TokenBudgets {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TokensError(TOKENS_FILE_UNREADABLE(shown, (error as Error).message));
  }
  return parseTokenBudgets(text, shown);
}

/** The JSON of one server's counts, with its budget and verdict. */
const serverJson = (server: ServerTokens, budget: number | undefined, status?: Status) => ({
  server: server.server,
  total: server.total,
  budget: budget ?? null,
  ...(status && { status }),
  kinds: server.kinds,
  definitions: server.definitions,
});

/**
 * Runs `rampart-tokens check|update` (see {@link TOKENS_USAGE}) and resolves to its exit code.
 * `check` counts the tokens of each server's listed definitions (gpt-tokenizer, `o200k_base`),
 * prints them per definition and per kind, and fails when a server is over the budget the file
 * sets for it, or has none; `update` writes the file: each server's total plus the headroom.
 *
 * @example
 * ```ts
 * process.exitCode = await runTokensCommand(
 *   ['check', '--app', 'dist/app.module.js#AppModule', '--file', 'rampart.tokens.json'],
 *   { out: console.log, err: console.error },
 * );
 * ```
 */
export async function runTokensCommand(
  argv: string[],
  io: TokensCommandIo,
  load?: TokensLoader,
): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  try {
    const args = parse(argv);
    if (args === 'help') {
      io.out(TOKENS_USAGE);
      return TokensExitCode.Passed;
    }
    const path = resolve(cwd, args.file);
    const shown = relative(cwd, path) || path;
    const updateCommand = `rampart-tokens update --app ${args.app} --file ${shown}`;
    let budgets: TokenBudgets | undefined;
    if (existsSync(path)) budgets = readBudgets(path, shown);
    else if (args.command === 'check')
      throw new TokensError(TOKENS_FILE_MISSING(shown, updateCommand));
    // The tokenizer first: a missing package is said before the app boots.
    const measure = load ?? ((spec, dir) => loadAppTokens(spec, dir, o200kCounter()));
    const servers = await measure(args.app, cwd);
    return args.command === 'check'
      ? check(args, io, shown, updateCommand, servers, budgets!)
      : update(args, io, path, shown, servers, budgets);
  } catch (error) {
    if (!isTokensError(error)) throw error;
    io.err(`rampart-tokens: ${error.message}`);
    return TokensExitCode.Error;
  }
}

function check(
  args: Parsed,
  io: TokensCommandIo,
  shown: string,
  updateCommand: string,
  servers: ServerTokens[],
  budgets: TokenBudgets,
): number {
  const names = servers.map((s) => s.server);
  for (const name of Object.keys(budgets.servers))
    if (!names.includes(name)) throw new TokensError(TOKENS_UNKNOWN_SERVER(shown, name, names));
  const verdicts = servers.map((server) => {
    const budget = budgets.servers[server.server]?.budget;
    const status: Status =
      budget === undefined ? 'unbudgeted' : server.total > budget ? 'over' : 'within';
    return { server, budget, status };
  });
  const failures = verdicts.flatMap(({ server, budget, status }) =>
    status === 'over'
      ? [TOKENS_OVER_BUDGET(server.server, server.total, budget!, shown)]
      : status === 'unbudgeted'
        ? [TOKENS_NO_BUDGET(server.server, shown, updateCommand)]
        : [],
  );
  if (args.json) {
    io.out(
      JSON.stringify(
        {
          encoding: TOKEN_ENCODING,
          file: shown,
          passed: failures.length === 0,
          servers: verdicts.map(({ server, budget, status }) => serverJson(server, budget, status)),
        },
        null,
        2,
      ),
    );
    for (const failure of failures) io.err(`rampart-tokens: ${failure}`);
  } else {
    for (const { server, budget } of verdicts) {
      for (const line of serverTokenLines(server, budget)) io.out(line);
      io.out('');
    }
    for (const failure of failures) io.out(`rampart-tokens: ${failure}`);
    if (!failures.length)
      io.out(
        `rampart-tokens: every server is within its budget in ${shown} (${verdicts
          .map(({ server, budget }) => `${server.server} ${server.total}/${budget}`)
          .join(', ')}; ${TOKEN_ENCODING})`,
      );
  }
  return failures.length ? TokensExitCode.Failed : TokensExitCode.Passed;
}

function update(
  args: Parsed,
  io: TokensCommandIo,
  path: string,
  shown: string,
  servers: ServerTokens[],
  previous: TokenBudgets | undefined,
): number {
  const entries: Record<string, ServerTokenBudget> = {};
  for (const server of servers)
    entries[server.server] = {
      budget: budgetWithHeadroom(server.total, args.headroom),
      measured: server.total,
    };
  const text = serializeTokenBudgets({ encoding: TOKEN_ENCODING, servers: entries });
  const unchanged = existsSync(path) && readFileSync(path, 'utf8') === text;
  if (!unchanged) writeFileSync(path, text);
  if (args.json) {
    io.out(
      JSON.stringify(
        {
          encoding: TOKEN_ENCODING,
          file: shown,
          written: !unchanged,
          headroomPercent: args.headroom,
          servers: servers.map((server) => serverJson(server, entries[server.server].budget)),
        },
        null,
        2,
      ),
    );
    return TokensExitCode.Passed;
  }
  for (const server of servers) {
    for (const line of serverTokenLines(server)) io.out(line);
    io.out('');
  }
  const summary = servers
    .map(({ server, total }) => {
      const was = previous?.servers[server]?.budget;
      const budget = entries[server].budget;
      return `${server} ${total} tokens, budget ${budget}${was !== undefined && was !== budget ? ` (was ${was})` : ''}`;
    })
    .join('; ');
  const dropped = Object.keys(previous?.servers ?? {}).filter((name) => !entries[name]);
  io.out(
    `rampart-tokens: ${unchanged ? `${shown} is up to date` : `wrote ${shown}`} with ${args.headroom}% headroom: ${summary}${dropped.length ? `; dropped ${dropped.join(', ')}, which the app does not have` : ''}`,
  );
  return TokensExitCode.Passed;
}
