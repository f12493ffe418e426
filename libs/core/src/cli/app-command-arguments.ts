import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { APP_COMMAND_BAD_ARGUMENTS } from './app-messages.constant';
import type { AppCommand } from './app-registries';

/** What `parseAppCommandArguments` found: the command, the app, the file and every option. */
export interface AppCommandArguments {
  command: 'check' | 'update';
  /** `--app`: the built module file and its export (`file[#export]`). */
  app: string;
  /** `--file`, or the command's default. */
  file: string;
  /** Every option given, the command's own included, as `node:util` `parseArgs` read them. */
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

/**
 * The error a command throws for arguments it cannot take: its own error class, with the
 * problem and a pointer to `--help` (exit code 2).
 *
 * @example
 * ```ts
 * throw badAppCommandArguments(command, '--strict applies to check only.');
 * ```
 */
export function badAppCommandArguments(command: AppCommand, problem: string): Error {
  return command.error(APP_COMMAND_BAD_ARGUMENTS(command.name, problem));
}

/**
 * Reads the arguments of a command that boots an app (`rampart-contract`, `rampart-tokens`):
 * `<check|update> --app <file>[#<export>] [--file <path>] [--help]` and the command's own
 * `options`. Resolves to `'help'` for `--help` or `-h`; anything else it cannot take (an unknown
 * option or command, an extra argument, no `--app`) throws {@link badAppCommandArguments}. What
 * the command's own options mean, and when they apply, is its business.
 *
 * @example
 * ```ts
 * const args = parseAppCommandArguments(argv, command, 'rampart.contract.json', {
 *   strict: { type: 'boolean' },
 * });
 * if (args !== 'help' && args.values.strict && args.command !== 'check') throw badAppCommandArguments(command, '…');
 * ```
 */
export function parseAppCommandArguments(
  argv: string[],
  command: AppCommand,
  defaultFile: string,
  options: ParseArgsOptionsConfig = {},
): AppCommandArguments | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        app: { type: 'string' },
        file: { type: 'string' },
        ...options,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw badAppCommandArguments(command, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [name, ...extra] = positionals;
  if (name !== 'check' && name !== 'update')
    throw badAppCommandArguments(
      command,
      name === undefined
        ? 'Give a command: check or update.'
        : `Unknown command "${name}": use check or update.`,
    );
  if (extra.length) throw badAppCommandArguments(command, `Unexpected argument "${extra[0]}".`);
  if (typeof values.app !== 'string' || !values.app)
    throw badAppCommandArguments(command, '--app <file>[#<export>] is required.');
  return {
    command: name,
    app: values.app,
    file: typeof values.file === 'string' && values.file ? values.file : defaultFile,
    values,
  };
}
