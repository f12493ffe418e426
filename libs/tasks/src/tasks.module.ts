import { Module } from '@nestjs/common';
import { ApprovalStore } from './approvals/approval.store';
import { ApprovalRoutes } from './approvals/approvals.routes';
import { ApprovalsService } from './approvals/approvals.service';
import { InMemoryApprovalStore } from './approvals/in-memory-approval.store';
import { RedisApprovalStore } from './approvals/redis-approval.store';
import { BULLMQ_NEEDS_REDIS } from './errors/messages.constant';
import { TasksDefinitionError } from './errors/tasks-definition.error';
import type { TasksModuleOptions } from './interfaces/tasks-module-options.interface';
import { BullMqTaskQueue } from './runner/bullmq-task.queue';
import { InProcessTaskQueue } from './runner/in-process-task.queue';
import { TaskQueue } from './runner/task-queue.interface';
import { InMemoryTaskStore } from './storage/in-memory-task.store';
import { RedisTaskStore } from './storage/redis-task.store';
import { TaskStore } from './storage/task.store';
import { TasksRedis } from './storage/tasks-redis';
import { TaskHandleTools } from './handles/task-handle.tools';
import { validateTasksOptions } from './tasks-options.validation';
import { TasksExtension } from './tasks.extension';
import { ConfigurableModuleClass, TASKS_MODULE_OPTIONS } from './tasks.module-definition';
import { TasksService } from './tasks.service';
import { DEFAULT_CONCURRENCY } from './tasks.constants';

const isStore = (storage: unknown): storage is TaskStore =>
  !!storage && typeof (storage as { get?: unknown }).get === 'function';

/**
 * Long-running tools as tasks, on every server of the app (or `server`): the MCP tasks extension
 * for 2026-07-28 clients, task-augmented calls for 2025-11-25 clients, and (with `handles`) a
 * handle plus status tools for clients without either. A tool opts in with
 * `@Tool({ execution: { taskSupport } })`; `@Task()` and `@Compensate()` refine it.
 *
 * Tasks live in memory by default, in Redis with `storage: { redis }`; they run in the process
 * that created them by default, on BullMQ workers with `runner: 'bullmq'`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({ name: 'reports', version: '1.0.0' }),
 *     TasksModule.forRoot({ storage: { redis: process.env.REDIS_URL! }, runner: 'bullmq' }),
 *   ],
 *   providers: [ReportTools],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [
    {
      provide: TasksRedis,
      useFactory: (options: TasksModuleOptions) => new TasksRedis(validateTasksOptions(options)),
      inject: [TASKS_MODULE_OPTIONS],
    },
    {
      provide: TaskStore,
      useFactory: (options: TasksModuleOptions, redis: TasksRedis) =>
        isStore(options.storage)
          ? options.storage
          : redis.client
            ? new RedisTaskStore(redis.client, { keyPrefix: redis.keyPrefix })
            : new InMemoryTaskStore(),
      inject: [TASKS_MODULE_OPTIONS, TasksRedis],
    },
    {
      provide: TaskQueue,
      useFactory: (options: TasksModuleOptions, redis: TasksRedis) => {
        const runner = options.runner ?? 'in-process';
        const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
        if (runner === 'in-process') return new InProcessTaskQueue(concurrency);
        if (runner === 'bullmq' || 'bullmq' in runner) {
          const bull = runner === 'bullmq' ? {} : runner.bullmq;
          const url = bull.redis ?? redis.url;
          if (!url) throw new TasksDefinitionError(BULLMQ_NEEDS_REDIS());
          return new BullMqTaskQueue({ redis: url, queueName: bull.queueName, concurrency });
        }
        return runner;
      },
      inject: [TASKS_MODULE_OPTIONS, TasksRedis],
    },
    {
      provide: ApprovalStore,
      useFactory: (options: TasksModuleOptions, redis: TasksRedis) =>
        options.approvals?.storage ??
        (redis.client
          ? new RedisApprovalStore(redis.client, { keyPrefix: `${redis.keyPrefix}approvals:` })
          : new InMemoryApprovalStore()),
      inject: [TASKS_MODULE_OPTIONS, TasksRedis],
    },
    TasksService,
    ApprovalsService,
    TasksExtension,
    TaskHandleTools,
    ApprovalRoutes,
  ],
  exports: [TasksService, TaskStore, TaskQueue, ApprovalsService, ApprovalStore],
})
export class TasksModule extends ConfigurableModuleClass {}
