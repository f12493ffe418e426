/** Options of `@Task()`: how a tool's tasks behave. Every field defaults to the module's. */
export interface TaskOptions {
  /**
   * Time the task and its result are kept from creation, in milliseconds.
   * @default the module's `ttlMs` (1 hour)
   */
  ttlMs?: number;
  /**
   * Polling interval suggested to clients, in milliseconds.
   * @default the module's `pollIntervalMs` (1 s)
   */
  pollIntervalMs?: number;
  /**
   * Runs of the task, the first included, when the worker running it stops (its lease ends):
   * `1` fails the task then, more runs it again on another worker. A run the tool itself ends
   * (a result, an error) is never retried here; use `@Retry()` for that.
   * @default the module's `attempts` (1)
   */
  attempts?: number;
  /**
   * Where the task starts: `'call'` creates it as the call arrives, and the whole method runs
   * in a worker; `'handler'` runs the method in the request until it calls `startTask(ctx)`
   * (what it asked before, by `ctx.elicit()` rounds, carries over), or answers at once when it
   * returns first.
   * @default 'call'
   */
  start?: 'call' | 'handler';
  /**
   * Whether a client without the tasks extension (and without 2025-11-25 task augmentation)
   * gets a handle at once (a result naming the task, served by the generated
   * `get_task_status`, `get_task_result` and `cancel_task` tools) instead of waiting for the
   * result.
   * @default the module's `handles`
   */
  handle?: boolean;
}
