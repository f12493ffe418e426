const BRAND = Symbol.for('rampart.TasksDefinitionError');

/**
 * A task declaration or module option that cannot work: bad `@Task()` or `@Compensate()`
 * options (thrown when the class is defined), a compensating method the class lacks, or bad
 * `TasksModule` options (thrown at boot).
 */
export class TasksDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'TasksDefinitionError';
}

/** Whether `e` is a {@link TasksDefinitionError}. */
export const isTasksDefinitionError = (e: unknown): e is TasksDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
