export const CONTRACT_USAGE = `Usage: rampart-contract <check|update> --app <file>[#<export>] [--file <path>] [options]

  check    compare the app's tools, resources, templates and prompts with the contract file;
           exit 1 on a breaking change the rules do not accept
  update   write the contract file from the app; refuses while a breaking change is not accepted

  --app <file>[#<export>]  the built module file and what to boot: a Nest module class, a dynamic
                           module, or a function returning either (or an application context),
                           e.g. dist/app.module.js#AppModule.forRoot (default export: AppModule)
  --file <path>            the contract file (default: rampart.contract.json)
  --strict                 check: also exit 1 when the file is out of date (compatible changes)
  --allow-breaking         update: write even with breaking changes the rules do not accept
  --help                   this text

Exit codes: 0 passed, 1 the contract check failed, 2 the command could not run.
Rules: docs/contracts.md`;
export const CONTRACT_FILE_MISSING = (file: string, update: string) =>
  `there is no contract file at ${file}: write it with \`${update}\` and commit it`;
export const CONTRACT_FILE_INVALID = (file: string, problem: string) =>
  `${file} is not a rampart contract file: ${problem}`;
