#!/usr/bin/env node
// `rampart-tokens check|update --app <file>[#<export>] [--file <path>]`: see docs/tokens.md.
import 'reflect-metadata';
import { runTokensCommand } from './tokens-command';

runTokensCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  // The app is closed by now; exit anyway, in case it left a handle open (a timer, a socket).
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `rampart-tokens failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
