/** Runs one task by id: what a queue's worker calls for each job. */
export type TaskProcessor = (taskId: string) => Promise<void>;

/**
 * Where tasks wait for a worker: {@link InProcessTaskQueue} by default (the replica that created
 * a task runs it), {@link BullMqTaskQueue} with `runner: 'bullmq'` (any replica's worker takes it
 * from Redis). A queue only carries task ids: the {@link TaskStore} holds the tasks, and a run
 * claims its task there before it starts, so a job delivered twice runs once.
 *
 * @example
 * ```ts
 * queue.start((taskId) => tasks.run(taskId));
 * await queue.enqueue(taskId);
 * ```
 */
export interface TaskQueue {
  /** Starts taking jobs; `process` runs each. Called once, at boot. */
  start(process: TaskProcessor): Promise<void> | void;
  /**
   * Queues a run of the task; resolves once the job is durably queued. `runKey` names the run: a
   * queue may drop a job whose task and key match a job still waiting (the run claims its task
   * anyway, so a second job of one run does nothing).
   */
  enqueue(taskId: string, runKey?: string): Promise<void>;
  /** Stops taking jobs and waits for the runs in progress (or not, when `force`). */
  close(force?: boolean): Promise<void>;
  /** Whether the queue keeps its jobs outside this process (so a queued task survives it). */
  readonly durable: boolean;
}

/** Injection token of the {@link TaskQueue}. */
export const TaskQueue = Symbol.for('rampart:TaskQueue');
