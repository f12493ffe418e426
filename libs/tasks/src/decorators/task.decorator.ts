import { Reflector } from '@nestjs/core';
import { TasksDefinitionError } from '../errors/tasks-definition.error';
import { INVALID_TASK_OPTION } from '../errors/messages.constant';
import type { TaskOptions } from '../interfaces/task-options.interface';
import { TASK_KEY } from '../tasks.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Task}. */
export const TaskMetadata = Reflector.createDecorator<TaskOptions>({ key: TASK_KEY });

const POSITIVE = ['ttlMs', 'pollIntervalMs', 'attempts'] as const;

/** What is wrong with `@Task()` options, or `undefined`. */
export function taskOptionsProblem(options: TaskOptions): string | undefined {
  if (!options || typeof options !== 'object') return 'options must be an object';
  for (const key of Object.keys(options))
    if (![...POSITIVE, 'start', 'handle'].includes(key)) return `"${key}" is not an option`;
  for (const key of POSITIVE) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
      return `"${key}" must be a positive integer, got ${JSON.stringify(value)}`;
  }
  if (options.start !== undefined && options.start !== 'call' && options.start !== 'handler')
    return `"start" must be 'call' or 'handler', got ${JSON.stringify(options.start)}`;
  if (options.handle !== undefined && typeof options.handle !== 'boolean')
    return `"handle" must be a boolean`;
  return undefined;
}

/**
 * How a task tool's tasks behave: TTL, polling hint, runs when a worker dies, where the task
 * starts, handles for clients without tasks. Whether a tool runs as a task at all is its
 * `@Tool({ execution: { taskSupport } })`. Metadata only; bad options throw a
 * `TasksDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Tool({ name: 'build_report', execution: { taskSupport: 'optional' } })
 * @Task({ ttlMs: 86_400_000, attempts: 3 })
 * async build(@Args() input: ReportInput, @Ctx() ctx: McpContext) { … }
 * ```
 */
export function Task(options: TaskOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const problem = taskOptionsProblem(options);
    if (problem)
      throw new TasksDefinitionError(
        INVALID_TASK_OPTION(`@Task() on ${describeMember(target, key)}`, problem),
      );
    TaskMetadata({ ...options })(target, key, descriptor);
  };
}
