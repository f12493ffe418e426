import type { AbstractHttpAdapter } from '@nestjs/core';
import { mountAdminHttp } from '@rampart/core';
import type { ApprovalsHandler } from './approvals-http.handler';

/**
 * Mounts the approval endpoints on the app's own HTTP adapter (Express or Fastify) at `base`,
 * `base/:id` and `base/:id/(approve|deny)`. Call it while the app initializes (an
 * `onModuleInit`), as `TasksModule` does with `approvals` configured.
 *
 * @example
 * ```ts
 * mountApprovals(adapterHost.httpAdapter, '/rampart/approvals', createApprovalsHandler(approvals, authorize));
 * ```
 */
export function mountApprovals(
  adapter: AbstractHttpAdapter,
  basePath: string,
  handler: ApprovalsHandler,
): void {
  mountAdminHttp(adapter, {
    basePath,
    routes: [
      { method: 'GET', segments: 0 },
      { method: 'GET', segments: 1 },
      { method: 'POST', segments: 2 },
    ],
    bodyLimitBytes: handler.bodyLimitBytes,
    unsupportedAdapter: (type) =>
      `The approval endpoints need the Express or Fastify adapter; this app uses "${type}"`,
    handle: (req, res, [approvalId, action], body) =>
      handler.handle(
        req,
        res,
        approvalId === undefined
          ? {}
          : action === undefined
            ? { approvalId }
            : { approvalId, action },
        body,
      ),
  });
}
