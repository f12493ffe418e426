import type { AbstractHttpAdapter } from '@nestjs/core';
import { mountAdminHttp } from '@rampart/core';
import type { KillSwitchAdminHandler, KillSwitchAdminRoute } from './kill-switch-admin.handler';
import { KILL_SWITCH_ADMIN_UNSUPPORTED_ADAPTER } from './kill-switch-messages.constant';

/**
 * Mounts the kill switch admin endpoints on the app's own HTTP adapter (Express or Fastify), at
 * `<basePath>/kill-switches`, `<basePath>/kill-switches/:server` and
 * `<basePath>/kill-switches/:server/:target`. Call it while the app initializes (in an
 * `onModuleInit`), after Nest's body parsers and before its not-found handler. The body parsers'
 * refusals on these paths (a body that is not JSON, too large, or malformed) are handed to the
 * handler, which answers them as JSON once the caller is authorized.
 *
 * @example
 * ```ts
 * onModuleInit() {
 *   const adapter = this.adapterHost.httpAdapter;
 *   mountKillSwitchAdmin(adapter, '/admin', createKillSwitchAdminHandler(store, authorize));
 * }
 * ```
 */
export function mountKillSwitchAdmin(
  adapter: AbstractHttpAdapter,
  basePath: string,
  handler: KillSwitchAdminHandler,
): void {
  mountAdminHttp(adapter, {
    basePath: `${basePath.replace(/\/+$/, '')}/kill-switches`,
    routes: [
      { method: 'GET', segments: 0 },
      { method: 'PUT', segments: 1 },
      { method: 'DELETE', segments: 1 },
      { method: 'PUT', segments: 2 },
      { method: 'DELETE', segments: 2 },
    ],
    bodyLimitBytes: handler.bodyLimitBytes,
    unsupportedAdapter: KILL_SWITCH_ADMIN_UNSUPPORTED_ADAPTER,
    handle: (req, res, [server, target], body) => {
      const route: KillSwitchAdminRoute =
        server === undefined ? {} : target === undefined ? { server } : { server, target };
      return handler.handle(req, res, route, body);
    },
  });
}
