import { Logger } from '@nestjs/common';
import type { TaskProcessor, TaskQueue } from './task-queue.interface';

/**
 * Runs tasks in the process that queued them, at most `concurrency` at once, first come first
 * served. Not durable: tasks queued here and not yet run are lost with the process, and the
 * sweepers of the other replicas (or of this one after a restart, with a shared store) run them
 * again once their lease has ended.
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ runner: new InProcessTaskQueue(4) });
 * ```
 */
export class InProcessTaskQueue implements TaskQueue {
  readonly durable = false;
  private readonly logger = new Logger('Tasks:in-process');
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private process?: TaskProcessor;
  private closed = false;

  constructor(private readonly concurrency = 16) {}

  start(process: TaskProcessor): void {
    this.process = process;
  }

  enqueue(taskId: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The task queue is closed'));
    this.waiting.push(taskId);
    this.pump();
    return Promise.resolve();
  }

  async close(force = false): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    if (!force) await Promise.allSettled(this.running);
  }

  private pump(): void {
    while (this.process && this.running.size < this.concurrency && this.waiting.length) {
      const taskId = this.waiting.shift()!;
      const run: Promise<void> = Promise.resolve()
        .then(() => this.process!(taskId))
        .catch((e: unknown) =>
          this.logger.error(
            `Task ${taskId} failed to run`,
            e instanceof Error ? e.stack : String(e),
          ),
        )
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}
