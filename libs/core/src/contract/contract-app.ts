import { withAppServers, type AppCommand } from '../cli/app-registries';
import { contractOf } from './contract-snapshot';
import { ContractError } from './contract.error';
import type { McpContract } from './contract.interfaces';

export { DEFAULT_APP_EXPORT, parseAppSpec } from '../cli/app-registries';

/** How `rampart-contract` names itself and reports what stops it: a {@link ContractError}. */
export const CONTRACT_COMMAND: AppCommand = {
  name: 'rampart-contract',
  error: (message: string) => new ContractError(message),
};

/**
 * Boots the app that `spec` names without listening (`NestFactory.createApplicationContext`,
 * no logger), reads the contract of its servers from their registries, and closes it.
 *
 * `spec` is `file[#export]`: the built module file, and the export to boot (default
 * `AppModule`), a dotted path: a Nest module class, a dynamic module, or a function returning
 * either or an application context it created (`AppModule.forRoot` is called with no arguments).
 *
 * @example
 * ```ts
 * const contract = await loadAppContract('apps/web-scrape/dist/app.module.js#AppModule.forRoot');
 * Object.keys(contract.servers['web-scrape'].tools); // ['scrape_url']
 * ```
 */
export function loadAppContract(spec: string, cwd = process.cwd()): Promise<McpContract> {
  return withAppServers(spec, cwd, CONTRACT_COMMAND, (servers) =>
    contractOf(servers.map((host) => host.registry)),
  );
}
