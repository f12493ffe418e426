import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { badAppCommandArguments, parseAppCommandArguments } from '../cli/app-command-arguments';
import { CONTRACT_COMMAND, loadAppContract } from './contract-app';
import { diffContracts } from './contract-diff';
import { CONTRACT_FILE_MISSING, CONTRACT_USAGE } from './contract-messages.constant';
import { count, describeContract, reportLines } from './contract-report';
import { canonical, parseContract, serializeContract } from './contract-snapshot';
import { isContractError } from './contract.error';
import type { McpContract } from './contract.interfaces';

/** The contract file used when `--file` names none, in the working directory. */
export const DEFAULT_CONTRACT_FILE = 'rampart.contract.json';

/** Exit codes of `rampart-contract`. */
export const ContractExitCode = {
  /** The check passed, or the file was written. */
  Passed: 0,
  /** A breaking change the rules do not accept, a missing file, or (`--strict`) an out-of-date one. */
  Failed: 1,
  /** The command could not run: bad arguments, an app that does not load or boot, an unreadable file. */
  Error: 2,
} as const;

/** Where the command writes, and from where it resolves relative paths. */
export interface ContractCommandIo {
  /** The report. */
  out: (line: string) => void;
  /** Why the command could not run. */
  err: (line: string) => void;
  /** @default process.cwd() */
  cwd?: string;
}

interface Parsed {
  command: 'check' | 'update';
  app: string;
  file: string;
  strict: boolean;
  allowBreaking: boolean;
}

function parse(argv: string[]): Parsed | 'help' {
  const args = parseAppCommandArguments(argv, CONTRACT_COMMAND, DEFAULT_CONTRACT_FILE, {
    strict: { type: 'boolean' },
    'allow-breaking': { type: 'boolean' },
  });
  if (args === 'help') return 'help';
  const { command, app, file, values } = args;
  if (values.strict && command !== 'check')
    throw badAppCommandArguments(CONTRACT_COMMAND, '--strict applies to check only.');
  if (values['allow-breaking'] && command !== 'update')
    throw badAppCommandArguments(CONTRACT_COMMAND, '--allow-breaking applies to update only.');
  return {
    command,
    app,
    file,
    strict: values.strict === true,
    allowBreaking: values['allow-breaking'] === true,
  };
}

const same = (a: McpContract, b: McpContract): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * Runs `rampart-contract check|update` (see {@link CONTRACT_USAGE}) and resolves to its exit
 * code: `check` reports every change from the contract file to the app's build and fails on a
 * breaking change the rules do not accept (and, with `--strict`, on any difference); `update`
 * writes the file, unless a breaking change is not accepted and `--allow-breaking` is absent.
 *
 * @example
 * ```ts
 * process.exitCode = await runContractCommand(
 *   ['check', '--app', 'dist/app.module.js#AppModule'],
 *   { out: console.log, err: console.error },
 * );
 * ```
 */
export async function runContractCommand(
  argv: string[],
  io: ContractCommandIo,
  load: (spec: string, cwd: string) => Promise<McpContract> = loadAppContract,
): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  try {
    const args = parse(argv);
    if (args === 'help') {
      io.out(CONTRACT_USAGE);
      return ContractExitCode.Passed;
    }
    const path = resolve(cwd, args.file);
    const shown = relative(cwd, path) || path;
    const build = await load(args.app, cwd);
    const updateCommand = `rampart-contract update --app ${args.app} --file ${shown}`;
    const snapshot = existsSync(path)
      ? parseContract(readFileSync(path, 'utf8'), shown)
      : undefined;
    return args.command === 'check'
      ? check(args, io, shown, updateCommand, build, snapshot)
      : update(args, io, path, shown, build, snapshot);
  } catch (error) {
    if (!isContractError(error)) throw error;
    io.err(`rampart-contract: ${error.message}`);
    return ContractExitCode.Error;
  }
}

function check(
  args: Parsed,
  io: ContractCommandIo,
  shown: string,
  updateCommand: string,
  build: McpContract,
  snapshot: McpContract | undefined,
): number {
  if (!snapshot) {
    io.err(`rampart-contract: ${CONTRACT_FILE_MISSING(shown, updateCommand)}`);
    return ContractExitCode.Failed;
  }
  const changes = diffContracts(snapshot, build);
  for (const line of reportLines(changes, multiServer(snapshot, build))) io.out(line);
  const refused = changes.filter((c) => c.severity === 'breaking' && !c.accepted).length;
  if (refused) {
    io.out(
      `rampart-contract: ${count(refused, 'breaking change')} against ${shown}. A breaking change passes only when the primitive's major version is raised and its old shape is still served, deprecated, under another name; a primitive may go once a committed snapshot shows it deprecated (docs/contracts.md).`,
    );
    return ContractExitCode.Failed;
  }
  if (same(snapshot, build)) {
    io.out(`rampart-contract: the build matches ${shown} (${describeContract(build)})`);
    return ContractExitCode.Passed;
  }
  const accepted = changes.filter((c) => c.accepted).length;
  const what = changes.length
    ? `${count(changes.length - accepted, 'compatible change')}${accepted ? ` and ${count(accepted, 'accepted breaking change')}` : ''}`
    : 'differences of form only';
  io.out(
    `rampart-contract: no refused breaking change, but ${shown} is out of date (${what}): run \`${updateCommand}\` and commit it${args.strict ? ' (--strict: failing)' : ''}`,
  );
  return args.strict ? ContractExitCode.Failed : ContractExitCode.Passed;
}

function update(
  args: Parsed,
  io: ContractCommandIo,
  path: string,
  shown: string,
  build: McpContract,
  snapshot: McpContract | undefined,
): number {
  const text = serializeContract(build);
  if (!snapshot) {
    writeFileSync(path, text);
    io.out(`rampart-contract: wrote ${shown} (${describeContract(build)})`);
    return ContractExitCode.Passed;
  }
  const changes = diffContracts(snapshot, build);
  for (const line of reportLines(changes, multiServer(snapshot, build))) io.out(line);
  const refused = changes.filter((c) => c.severity === 'breaking' && !c.accepted).length;
  if (refused && !args.allowBreaking) {
    io.out(
      `rampart-contract: ${shown} not written: ${count(refused, 'breaking change')} the rules do not accept. Fix them (docs/contracts.md), or record them anyway with --allow-breaking.`,
    );
    return ContractExitCode.Failed;
  }
  if (readFileSync(path, 'utf8') === text) {
    io.out(`rampart-contract: ${shown} is up to date (${describeContract(build)})`);
    return ContractExitCode.Passed;
  }
  writeFileSync(path, text);
  io.out(
    `rampart-contract: wrote ${shown} (${describeContract(build)})${refused ? `, with ${count(refused, 'breaking change')} (--allow-breaking)` : ''}`,
  );
  return ContractExitCode.Passed;
}

const multiServer = (a: McpContract, b: McpContract): boolean =>
  new Set([...Object.keys(a.servers), ...Object.keys(b.servers)]).size > 1;
