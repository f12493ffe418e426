import { approvalKeysProblem } from './approvals/approval-signer';
import { approvalOptionsProblem } from './approvals/requires-approval.decorator';
import { INVALID_MODULE_OPTION } from './errors/messages.constant';
import { TasksDefinitionError } from './errors/tasks-definition.error';
import type { TasksModuleOptions } from './interfaces/tasks-module-options.interface';

const POSITIVE = [
  'ttlMs',
  'maxTtlMs',
  'pollIntervalMs',
  'leaseMs',
  'attempts',
  'concurrency',
] as const;

/** Throws a {@link TasksDefinitionError} naming every option that cannot work. */
export function validateTasksOptions(options: TasksModuleOptions): TasksModuleOptions {
  const problems: string[] = [];
  for (const key of POSITIVE) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
      problems.push(`"${key}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  const storage = options.storage as unknown;
  if (storage !== undefined) {
    const isStore = !!storage && typeof (storage as { get?: unknown }).get === 'function';
    const redis = (storage as { redis?: unknown } | null)?.redis;
    if (
      !isStore &&
      !(typeof redis === 'string' ? redis.trim() : redis && typeof redis === 'object')
    )
      problems.push('"storage" must be a TaskStore or { redis: url | client }');
  }
  const runner = options.runner as unknown;
  if (
    runner !== undefined &&
    runner !== 'in-process' &&
    runner !== 'bullmq' &&
    !(runner && typeof runner === 'object')
  )
    problems.push(`"runner" must be 'in-process', 'bullmq', { bullmq } or a TaskQueue`);
  if (
    options.adminScope !== undefined &&
    (typeof options.adminScope !== 'string' || !options.adminScope)
  )
    problems.push('"adminScope" must be a non-empty string');
  if (options.handles !== undefined && typeof options.handles !== 'boolean')
    problems.push('"handles" must be a boolean');
  const approvals = options.approvals as unknown;
  if (approvals !== undefined) {
    if (!approvals || typeof approvals !== 'object')
      problems.push('"approvals" must be an object: { keys, ... }');
    else {
      const a = approvals as NonNullable<TasksModuleOptions['approvals']>;
      const keys = approvalKeysProblem(a.keys);
      if (keys) problems.push(keys);
      if (a.ttlMs !== undefined && !(Number.isSafeInteger(a.ttlMs) && a.ttlMs > 0))
        problems.push(
          `"approvals.ttlMs" must be a positive integer, got ${JSON.stringify(a.ttlMs)}`,
        );
      if (a.destructive) {
        const problem = approvalOptionsProblem(a.destructive);
        if (problem) problems.push(`"approvals.destructive": ${problem}`);
      }
      if (
        a.path !== undefined &&
        a.path !== false &&
        (typeof a.path !== 'string' || !a.path.startsWith('/'))
      )
        problems.push('"approvals.path" must be a path starting with "/", or false');
      if (a.storage !== undefined && typeof (a.storage as { get?: unknown })?.get !== 'function')
        problems.push('"approvals.storage" must be an ApprovalStore');
    }
  }
  if (problems.length) throw new TasksDefinitionError(INVALID_MODULE_OPTION(problems.join('; ')));
  return options;
}
