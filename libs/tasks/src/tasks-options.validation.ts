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
  if (problems.length) throw new TasksDefinitionError(INVALID_MODULE_OPTION(problems.join('; ')));
  return options;
}
