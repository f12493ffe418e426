import type { RedisClientLike } from '@rampart/core';
import type { ApprovalsOptions } from '../approvals/approval.interfaces';
import type { TaskStore } from '../storage/task.store';
import type { TaskQueue } from '../runner/task-queue.interface';

/** Tasks in Redis: a URL (the module opens and closes the connection) or your client. */
export interface TasksRedisOptions {
  redis: string | RedisClientLike;
  /**
   * Prefix of every key.
   * @default 'rampart:tasks:'
   */
  keyPrefix?: string;
}

/** BullMQ workers on Redis. */
export interface TasksBullMqOptions {
  bullmq: {
    /**
     * Redis URL of the queue.
     * @default the URL of `storage.redis`
     */
    redis?: string;
    /**
     * Name of the queue; every replica of a server must use the same.
     * @default 'rampart-tasks'
     */
    queueName?: string;
  };
}

/** Options of `TasksModule.forRoot()`. */
export interface TasksModuleOptions {
  /**
   * Where tasks live: in memory (one replica), in Redis (`{ redis }`, every replica), or any
   * {@link TaskStore} of yours.
   * @default in memory
   */
  storage?: TasksRedisOptions | TaskStore;
  /**
   * Who runs tasks: `'in-process'` (the replica that created a task, right away), BullMQ
   * workers on Redis (`'bullmq'` or `{ bullmq }`; needs the `bullmq` package), or any
   * {@link TaskQueue} of yours.
   * @default 'in-process'
   */
  runner?: 'in-process' | 'bullmq' | TasksBullMqOptions | TaskQueue;
  /**
   * Time a task and its result are kept from creation, in milliseconds.
   * @default 3600000 (1 hour)
   */
  ttlMs?: number;
  /**
   * Longest TTL a 2025-11-25 client may ask for (`task.ttl`), in milliseconds.
   * @default 86400000 (24 hours)
   */
  maxTtlMs?: number;
  /**
   * Polling interval suggested to clients, in milliseconds.
   * @default 1000
   */
  pollIntervalMs?: number;
  /**
   * How long a worker's claim on a running task lasts without a heartbeat, in milliseconds; a
   * task whose worker stopped is taken over (or failed) this long after its last heartbeat.
   * Heartbeats come every third of it.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * Runs of a task, the first included, when its worker stops (see `@Task({ attempts })`).
   * @default 1
   */
  attempts?: number;
  /**
   * Tasks one process runs at once.
   * @default 16
   */
  concurrency?: number;
  /**
   * Scope that lets an identity see, read and cancel every task of its own tenant.
   * @default 'tasks:admin'
   */
  adminScope?: string;
  /**
   * Handles for clients without the tasks extension: a task tool called by such a client
   * answers a handle at once, and the server gets the `get_task_status`, `get_task_result` and
   * `cancel_task` tools (`@Task({ handle })` decides per tool).
   * @default false
   */
  handles?: boolean;
  /**
   * Approvals of calls to tools that need one (`@RequiresApproval()`, or `destructiveHint`
   * tools with `approvals.destructive`): the keys that sign them, where they live, who is told,
   * where approvers decide. Without it, a tool that needs an approval is refused.
   */
  approvals?: ApprovalsOptions;
  /**
   * Only for the server of this name (of `McpModule.forRoot({ name })`).
   * @default every server of the app
   */
  server?: string;
}
