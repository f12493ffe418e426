/** Where a command writes: its report, and why it could not run. */
export interface AppCommandOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * The main of a command's executable (`bin/`): runs it with the process's arguments, writing to
 * stdout and stderr, and exits with its code; a crash prints its stack and exits 2. It exits even
 * when the app the command booted left a handle open (a timer, a socket): the app is closed by
 * then.
 *
 * @example
 * ```ts
 * #!/usr/bin/env node
 * import 'reflect-metadata';
 * runAppCommandMain('rampart-contract', runContractCommand);
 * ```
 */
export function runAppCommandMain(
  name: string,
  run: (argv: string[], io: AppCommandOutput) => Promise<number>,
): void {
  run(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
