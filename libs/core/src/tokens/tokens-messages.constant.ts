export const TOKENS_USAGE = `Usage: rampart-tokens <check|update> --app <file>[#<export>] [--file <path>] [options]

  check    count the tokens of each server's tool, resource, resource template and prompt
           definitions, as the lists send them, and compare each server's total with its budget;
           exit 1 when a server is over its budget or has none
  update   write the budget file: each server's measured total plus the headroom

  --app <file>[#<export>]  the built module file and what to boot: a Nest module class, a dynamic
                           module, or a function returning either (or an application context),
                           e.g. dist/app.module.js#AppModule.forRoot (default export: AppModule)
  --file <path>            the budget file (default: rampart.tokens.json)
  --headroom <percent>     update: the budget above the measured total (default: 20)
  --json                   print the counts as JSON instead of tables
  --help                   this text

Counts are gpt-tokenizer's o200k_base encoding of each definition's JSON.
Exit codes: 0 within budget (or written), 1 over budget, 2 the command could not run.
Guide: docs/tokens.md`;
export const TOKENS_TOKENIZER_MISSING = (version: string) =>
  `rampart-tokens counts with the "gpt-tokenizer" package, which is not installed: run \`npm install --save-dev --save-exact gpt-tokenizer@${version}\``;
export const TOKENS_FILE_MISSING = (file: string, update: string) =>
  `there is no budget file at ${file}: write it with \`${update}\` and commit it`;
export const TOKENS_FILE_UNREADABLE = (file: string, problem: string) =>
  `could not read ${file}: ${problem}`;
export const TOKENS_FILE_INVALID = (file: string, problem: string) =>
  `${file} is not a rampart-tokens budget file: ${problem}. Expected { "servers": { "<server>": { "budget": <tokens> } } }`;
export const TOKENS_UNKNOWN_SERVER = (file: string, server: string, known: string[]) =>
  `${file} sets a budget for server "${server}", which the app does not have (its servers: ${known.join(', ')}): fix the name or remove the entry`;
export const TOKENS_OVER_BUDGET = (server: string, total: number, budget: number, file: string) =>
  `server "${server}" is over its token budget: its definitions cost ${total} tokens, the budget in ${file} is ${budget} (${total - budget} over). Shorten descriptions and schemas, or raise the budget in ${file}`;
export const TOKENS_NO_BUDGET = (server: string, file: string, update: string) =>
  `server "${server}" has no budget in ${file} (${'`'}servers.${server}.budget${'`'}): set one, or run \`${update}\``;
