import type { McpCall } from '@rampart/core';
import type { TaskRecord } from './interfaces/task-record.interface';

/** The calls that are runs of a task (in a worker), with their task. */
export const taskRuns = new WeakMap<McpCall, TaskRecord>();

/**
 * The calls whose tool starts its task in the handler (`@Task({ start: 'handler' })`) for a
 * client that takes tasks: `startTask(ctx)` creates the task with the answers gathered so far.
 */
export const taskStarters = new WeakMap<
  McpCall,
  (answers: Record<string, unknown>) => Promise<Record<string, unknown>>
>();
