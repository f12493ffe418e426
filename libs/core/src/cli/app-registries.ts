import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { McpServerHost } from '../mcp-server.host';
import { McpServers } from '../mcp-servers.service';
import {
  APP_EXPORT_NOT_FOUND,
  APP_NOT_A_MODULE,
  APP_NOT_BOOTED,
  APP_NOT_FOUND,
  APP_NOT_LOADED,
  APP_NO_SERVERS,
} from './app-messages.constant';

/** The export booted when `--app` names none. */
export const DEFAULT_APP_EXPORT = 'AppModule';

/**
 * How a command that boots an app reports what went wrong: its name (for messages), and the
 * error it throws (its own class, which it turns into exit code 2).
 */
export interface AppCommand {
  /** e.g. `rampart-contract`. */
  name: string;
  /** Makes the error thrown when the app cannot be loaded, booted, or has no server. */
  error: (message: string) => Error;
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const isClass = (value: unknown): value is Type =>
  typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));

const isDynamicModule = (value: unknown): value is DynamicModule =>
  !!value && typeof value === 'object' && typeof (value as DynamicModule).module === 'function';

const isAppContext = (value: unknown): value is INestApplicationContext =>
  !!value &&
  typeof value === 'object' &&
  typeof (value as INestApplicationContext).get === 'function' &&
  typeof (value as INestApplicationContext).close === 'function';

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `the function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** Splits `file#Export.member` into the file's absolute path and the export's path. */
export function parseAppSpec(spec: string, cwd: string): { file: string; path: string[] } {
  const hash = spec.lastIndexOf('#');
  const file = resolve(cwd, hash < 0 ? spec : spec.slice(0, hash));
  const path = (hash < 0 ? DEFAULT_APP_EXPORT : spec.slice(hash + 1)).split('.').filter(Boolean);
  return { file, path: path.length ? path : [DEFAULT_APP_EXPORT] };
}

/**
 * The module (or application context) that `spec` names: the export at its path, called when
 * it is a function other than a class (with its owner as `this`, for `AppModule.forRoot`).
 */
async function resolveTarget(
  spec: string,
  cwd: string,
  command: AppCommand,
): Promise<Type | DynamicModule | INestApplicationContext> {
  const { file, path } = parseAppSpec(spec, cwd);
  if (!existsSync(file)) throw command.error(APP_NOT_FOUND(file));
  let exports: unknown;
  try {
    // oxlint-disable-next-line typescript/no-require-imports -- the app is CommonJS, named at run time
    exports = require(file);
  } catch (error) {
    throw command.error(APP_NOT_LOADED(command.name, file, message(error)));
  }
  let owner: unknown;
  let value = exports;
  for (const member of path) {
    if (!value || (typeof value !== 'object' && typeof value !== 'function') || !(member in value))
      throw command.error(
        APP_EXPORT_NOT_FOUND(
          file,
          path.join('.'),
          exports && typeof exports === 'object' ? Object.keys(exports) : [],
        ),
      );
    owner = value;
    value = (value as Record<string, unknown>)[member];
  }
  if (typeof value === 'function' && !isClass(value))
    value = await (value as (this: unknown) => unknown).call(owner);
  if (isClass(value) || isDynamicModule(value) || isAppContext(value)) return value;
  throw command.error(APP_NOT_A_MODULE(spec, describe(value)));
}

/**
 * `McpServers` of the app: this package's class, or the one of the `@rampart/core` that the app
 * itself loads when that is another copy.
 */
function serversOf(app: INestApplicationContext, file: string): McpServers | undefined {
  const tokens = new Set<Type<McpServers>>([McpServers]);
  try {
    const theirs = createRequire(file)('@rampart/core') as { McpServers?: Type<McpServers> };
    if (theirs.McpServers) tokens.add(theirs.McpServers);
  } catch {
    // The app does not load @rampart/core by that name: only this copy can be its.
  }
  for (const token of tokens) {
    try {
      return app.get(token, { strict: false });
    } catch {
      // not this copy
    }
  }
  return undefined;
}

/**
 * Boots the app that `spec` names without listening (`NestFactory.createApplicationContext`,
 * no logger), hands its servers (initialised: registries filled, dispatchers built) to `read`,
 * and closes it, whatever `read` does. The loading that `rampart-contract` and `rampart-tokens`
 * share.
 *
 * `spec` is `file[#export]`: the built module file, and the export to boot (default
 * `AppModule`), a dotted path: a Nest module class, a dynamic module, or a function returning
 * either or an application context it created (`AppModule.forRoot` is called with no arguments).
 * An app that cannot be found, loaded or booted, or that has no server, throws
 * `command.error(message)`.
 *
 * @example
 * ```ts
 * const names = await withAppServers(
 *   'apps/web-scrape/dist/app.module.js#AppModule.forRoot',
 *   process.cwd(),
 *   { name: 'my-command', error: (message) => new Error(message) },
 *   (servers) => servers.map((host) => host.name),
 * );
 * ```
 */
export async function withAppServers<T>(
  spec: string,
  cwd: string,
  command: AppCommand,
  read: (servers: McpServerHost[]) => T | Promise<T>,
): Promise<T> {
  const target = await resolveTarget(spec, cwd, command);
  let app: INestApplicationContext;
  try {
    app = isAppContext(target)
      ? target
      : await NestFactory.createApplicationContext(target, { logger: false, abortOnError: false });
  } catch (error) {
    throw command.error(APP_NOT_BOOTED(spec, message(error)));
  }
  try {
    const servers = serversOf(app, parseAppSpec(spec, cwd).file)?.all() ?? [];
    if (!servers.length) throw command.error(APP_NO_SERVERS(spec));
    return await read(servers);
  } finally {
    await app.close();
  }
}
