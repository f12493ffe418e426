import { Logger } from '@nestjs/common';
import { loadPackage } from '@rampart/core';
import type { TaskProcessor, TaskQueue } from './task-queue.interface';

/** Options of {@link BullMqTaskQueue}. */
export interface BullMqTaskQueueOptions {
  /** Redis URL of the queue. */
  redis: string;
  /**
   * Name of the queue; every replica of a server must use the same.
   * @default 'rampart-tasks'
   */
  queueName?: string;
  /**
   * Jobs this process's worker runs at once.
   * @default 16
   */
  concurrency?: number;
}

interface BullQueue {
  add(name: string, data: unknown, options?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}
interface BullWorker {
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
interface BullMq {
  Queue: new (name: string, options: Record<string, unknown>) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: { data: { taskId: string } }) => Promise<void>,
    options: Record<string, unknown>,
  ) => BullWorker;
}
interface RedisConnection {
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Tasks queued in Redis with BullMQ: every replica runs a worker, any of them takes a queued
 * task, and a queued task survives the replica that created it. BullMQ (and ioredis) are loaded
 * when the queue starts; a missing package is named in the error.
 *
 * A job only names its task: the run claims the task in the task store first (so a job that
 * BullMQ delivers twice runs once), and the store's leases, not BullMQ's stalled-job checks,
 * decide what happens to a task whose worker died (`@Task({ attempts })`).
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ storage: { redis: url }, runner: 'bullmq' });
 * ```
 */
export class BullMqTaskQueue implements TaskQueue {
  readonly durable = true;
  private readonly logger = new Logger('Tasks:bullmq');
  private queue?: BullQueue;
  private worker?: BullWorker;
  private readonly connections: RedisConnection[] = [];

  constructor(private readonly options: BullMqTaskQueueOptions) {}

  private get name(): string {
    return this.options.queueName ?? 'rampart-tasks';
  }

  private modules(): { bullmq: BullMq; connect: () => RedisConnection } {
    const bullmq = loadPackage<BullMq>(
      'bullmq',
      'Tasks on BullMQ workers (TasksModule `runner: "bullmq"`)',
    );
    const { Redis } = loadPackage<typeof import('ioredis')>(
      'ioredis',
      'Tasks on BullMQ workers (TasksModule `runner: "bullmq"`)',
    );
    const connect = () => {
      // BullMQ's blocking commands need a connection that never gives up on a command.
      const connection = new Redis(this.options.redis, { maxRetriesPerRequest: null });
      connection.on('error', (e: Error) => this.logger.warn(`Redis unavailable: ${e.message}`));
      this.connections.push(connection);
      return connection;
    };
    return { bullmq, connect };
  }

  start(process: TaskProcessor): void {
    const { bullmq, connect } = this.modules();
    this.queue ??= new bullmq.Queue(this.name, { connection: connect() });
    this.worker = new bullmq.Worker(this.name, (job) => process(job.data.taskId), {
      connection: connect(),
      concurrency: this.options.concurrency ?? 16,
      // The task store's leases decide about runs whose worker died.
      maxStalledCount: 0,
    });
    this.worker.on('error', (e) => this.logger.warn(`Worker error: ${e.message}`));
  }

  async enqueue(taskId: string, runKey?: string): Promise<void> {
    if (!this.queue) {
      const { bullmq, connect } = this.modules();
      this.queue = new bullmq.Queue(this.name, { connection: connect() });
    }
    await this.queue.add(
      'run',
      { taskId },
      {
        // One job per run while it exists: a task queued again while its job waits adds none.
        ...(runKey !== undefined && { jobId: `${taskId}_${runKey}` }),
        removeOnComplete: true,
        // Removed at once, so that a run whose job failed (its worker stalled) can be queued again.
        removeOnFail: true,
      },
    );
  }

  async close(force = false): Promise<void> {
    await this.worker?.close(force).catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    await Promise.all(this.connections.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}
