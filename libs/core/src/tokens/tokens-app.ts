import { withAppServers, type AppCommand } from '../cli/app-registries';
import { o200kCounter, type TokenCounter } from './tokenizer';
import { listedDefinitions, measureDefinitions } from './tokens-measure';
import { TokensError } from './tokens.error';
import type { ServerTokens } from './tokens.interfaces';

/** How `rampart-tokens` names itself and reports what stops it: a {@link TokensError}. */
export const TOKENS_COMMAND: AppCommand = {
  name: 'rampart-tokens',
  error: (message: string) => new TokensError(message),
};

/**
 * Boots the app that `spec` names without listening (as `rampart-contract` does), counts the
 * tokens of each server's listed definitions, and closes it. One entry per server, in the app's
 * order.
 *
 * `spec` is `file[#export]`: the built module file, and the export to boot (default
 * `AppModule`): a Nest module class, a dynamic module, or a function returning either or an
 * application context.
 *
 * @example
 * ```ts
 * const [server] = await loadAppTokens('apps/web-scrape/dist/app.module.js#AppModule.forRoot');
 * server.total; // the tokens of its tools, resources, templates and prompts
 * ```
 */
export async function loadAppTokens(
  spec: string,
  cwd = process.cwd(),
  counter: TokenCounter = o200kCounter(),
): Promise<ServerTokens[]> {
  return withAppServers(spec, cwd, TOKENS_COMMAND, (servers) =>
    servers.map((host) => measureDefinitions(host.name, listedDefinitions(host), counter)),
  );
}
