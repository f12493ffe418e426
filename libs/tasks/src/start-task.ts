import { AnswerSignal, type McpContext } from '@rampart/core';
import { taskRuns, taskStarters } from './task-runs';

/**
 * Where a `@Task({ start: 'handler' })` tool's task begins. In the request of a client that
 * takes tasks, it ends the request with the task's handle, and the method runs again from the
 * start in a worker, with the answers it gathered before (its `ctx.elicit()` rounds) already
 * there; in that worker, and for a client without tasks, it returns at once and the method goes
 * on. What comes before it must therefore be quick and free of side effects.
 *
 * @example
 * ```ts
 * @Tool({ name: 'greet_later', execution: { taskSupport: 'required' } })
 * @Task({ start: 'handler' })
 * async greet(@Ctx() ctx: McpContext) {
 *   const name = await ctx.elicit({ message: 'Your name?', requestedSchema }, 'name'); // in the request
 *   await startTask(ctx); // the client gets the task from here
 *   return `Hello, ${(name.content as { name: string }).name}`;
 * }
 * ```
 */
export async function startTask(ctx: McpContext): Promise<void> {
  if (taskRuns.has(ctx.call)) return;
  const start = taskStarters.get(ctx.call);
  if (!start) return;
  taskStarters.delete(ctx.call);
  throw new AnswerSignal(() => start(ctx.roundState().responses));
}
