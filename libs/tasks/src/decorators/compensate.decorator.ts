import { Reflector } from '@nestjs/core';
import { INVALID_TASK_OPTION } from '../errors/messages.constant';
import { TasksDefinitionError } from '../errors/tasks-definition.error';
import { COMPENSATE_KEY } from '../tasks.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Compensate}: the name of the compensating method. */
export const CompensateMetadata = Reflector.createDecorator<string>({ key: COMPENSATE_KEY });

/**
 * What a compensating method receives: the task's arguments, why it runs, and who asked.
 */
export interface CompensationContext {
  taskId: string;
  tool: string;
  /** `failed` (a protocol error, a worker that stopped for good) or `cancelled`. */
  reason: 'failed' | 'cancelled';
  /** The task's error, when it failed. */
  error?: { code: number; message: string };
  /** The identity that created the task. */
  identity?: { subject: string; tenant?: string };
}

/**
 * Names a method of the same class that undoes a task tool's side effects: it runs once when
 * the task fails or is cancelled after its method started, with the task's arguments and a
 * {@link CompensationContext}; what it did (done or failed, and why) is recorded on the task.
 * Metadata only; the method's existence is checked at boot.
 *
 * @example
 * ```ts
 * @Tool({ name: 'book_trip', execution: { taskSupport: 'required' } })
 * @Compensate('cancelBooking')
 * async book(@Args() trip: TripInput, @Ctx() ctx: McpContext) { … }
 *
 * async cancelBooking(trip: TripInput, info: CompensationContext) { … }
 * ```
 */
export function Compensate(method: string): MethodDecorator {
  return (target, key, descriptor) => {
    if (typeof method !== 'string' || !method.trim())
      throw new TasksDefinitionError(
        INVALID_TASK_OPTION(
          `@Compensate() on ${describeMember(target, key)}`,
          'the name of a method of the class is required',
        ),
      );
    if (method === key)
      throw new TasksDefinitionError(
        INVALID_TASK_OPTION(
          `@Compensate() on ${describeMember(target, key)}`,
          'a method cannot compensate itself',
        ),
      );
    CompensateMetadata(method)(target, key, descriptor);
  };
}
