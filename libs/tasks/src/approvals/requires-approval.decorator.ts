import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ToolError } from '@rampart/core';
import { INVALID_TASK_OPTION } from '../errors/messages.constant';
import { TasksDefinitionError } from '../errors/tasks-definition.error';
import { describeMember } from '../decorators/describe-member';
import type { RequiresApprovalOptions } from './approval.interfaces';
import { isApprovedRun } from './approved-run';

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
 * The method itself is guarded too: called other than as the approved run of a held call (in an
 * app without `TasksModule`, or straight from other code), it throws an `APPROVAL_REQUIRED`
 * `ToolError` and does not run. Metadata of other decorators is kept, whatever their order.
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
    const original: unknown = descriptor.value;
    if (typeof original !== 'function')
      throw new TasksDefinitionError(
        INVALID_TASK_OPTION(
          `@RequiresApproval() on ${describeMember(target, key)}`,
          'not a method',
        ),
      );
    const guarded = guard(original as (...args: unknown[]) => unknown, describeMember(target, key));
    descriptor.value = guarded as typeof descriptor.value;
    RequiresApprovalMetadata({ ...options })(target, key, descriptor);
  };
}

/**
 * `method`, refusing to run but as an approved run: same `this`, arguments and result, same
 * name and length, and the metadata decorators below this one left on it (those above land on
 * the guard itself).
 */
function guard(method: (...args: unknown[]) => unknown, where: string) {
  let told = false;
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    if (!isApprovedRun(guarded)) {
      if (!told)
        new Logger('RequiresApproval').error(
          `${where} was called outside an approved run and refused: import TasksModule.forRoot({ approvals: { keys } }) in the app that serves it, so that its calls are held for approval`,
        );
      told = true;
      throw new ToolError(
        'APPROVAL_REQUIRED',
        'This tool runs only once an approver approves the call, and nothing on this server held the call for an approval',
      );
    }
    return method.apply(this, args);
  };
  Object.defineProperty(guarded, 'name', { value: method.name });
  Object.defineProperty(guarded, 'length', { value: method.length });
  for (const metadataKey of Reflect.getOwnMetadataKeys(method))
    Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, method), guarded);
  return guarded;
}
