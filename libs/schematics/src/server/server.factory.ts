import { SchematicsException, type Rule } from '@angular-devkit/schematics';
import { INVALID_HTTP_PATH } from '../utils/messages.constant';
import { partRule, readPackageJson } from '../utils/part.factory';
import type { ServerOptions } from './server-options.interface';

const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

/**
 * `server NAME`: one more MCP server in the app, a module with its own
 * `McpModule.forRoot({ name: NAME, http: { path: '/NAME/mcp' } })` (`<name>.module.ts`,
 * `<name>.module.spec.ts`), imported by the nearest module.
 */
export function main(options: ServerOptions): Rule {
  if (options.httpPath !== undefined && !HTTP_PATH.test(options.httpPath))
    throw new SchematicsException(INVALID_HTTP_PATH(options.httpPath));
  return partRule(
    options,
    { type: 'module', classSuffix: 'Module', metadata: 'imports' },
    (names, tree) => ({
      httpPath: options.httpPath ?? `/${names.fileName}/mcp`,
      version: options.version ?? readPackageJson(tree)?.version ?? '0.0.1',
    }),
  );
}
