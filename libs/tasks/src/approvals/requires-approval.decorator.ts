import { Reflector } from '@nestjs/core';
import { INVALID_TASK_OPTION } from '../errors/messages.constant';
import { TasksDefinitionError } from '../errors/tasks-definition.error';
import { describeMember } from '../decorators/describe-member';
import type { RequiresApprovalOptions } from './approval.interfaces';

/** Metadata key of `@RequiresApproval()`. */
export const REQUIRES_APPROVAL_KEY = 'RAMPART:REQUIRES_APPROVAL';

/** Typed metadata of {@link RequiresApproval}. */
export const RequiresApprovalMetadata = Reflector.createDecorator<RequiresApprovalOptions>({
  key: REQUIRES_APPROVAL_KEY,
});

/** What is wrong with approval options, or `undefined`. */
export function approvalOptionsProblem(options: RequiresApprovalOptions): string | undefined {
  if (!options || typeof options !== 'object') return 'options must be an object';
  for (const key of Object.keys(options))
    if (!['approvers', 'ttlMs', 'reason'].includes(key)) return `"${key}" is not an option`;
  if (typeof options.approvers !== 'string' || !options.approvers.trim())
    return '"approvers" must be the scope an approver needs, a non-empty string';
  if (options.ttlMs !== undefined && !(Number.isSafeInteger(options.ttlMs) && options.ttlMs > 0))
    return `"ttlMs" must be a positive integer, got ${JSON.stringify(options.ttlMs)}`;
  if (options.reason !== undefined && typeof options.reason !== 'string')
    return '"reason" must be a string';
  return undefined;
}

/**
 * A tool whose calls run only once someone holding the `approvers` scope (in the caller's
 * tenant, and not the caller) approves them out of band, on the approval endpoints. The call
 * becomes a task that waits for the approval, bound to the caller, the tool and the exact
 * arguments; it runs once, or never when denied or expired. Needs `TasksModule` with
 * `approvals: { keys }`. Bad options throw a `TasksDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Tool({ name: 'purge_pages', annotations: { destructiveHint: true } })
 * @RequiresApproval({ approvers: 'pages:approve', ttlMs: 600_000, reason: 'Deletes every stored page' })
 * async purge(@Ctx() ctx: McpContext) { … }
 * ```
 */
export function RequiresApproval(options: RequiresApprovalOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const problem = approvalOptionsProblem(options);
    if (problem)
      throw new TasksDefinitionError(
        INVALID_TASK_OPTION(`@RequiresApproval() on ${describeMember(target, key)}`, problem),
      );
    RequiresApprovalMetadata({ ...options })(target, key, descriptor);
  };
}
