export { TasksModule } from './tasks.module';
export {
  TASKS_MODULE_OPTIONS,
  OPTIONS_TYPE as TASKS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE as TASKS_ASYNC_OPTIONS_TYPE,
} from './tasks.module-definition';
export type {
  TasksModuleOptions,
  TasksRedisOptions,
  TasksBullMqOptions,
} from './interfaces/tasks-module-options.interface';
export type { TaskOptions } from './interfaces/task-options.interface';
export {
  isTerminal,
  type TaskRecord,
  type TaskStatus,
  type TaskError,
  type TaskOwner,
  type TaskCompensation,
} from './interfaces/task-record.interface';
export { Task, TaskMetadata } from './decorators/task.decorator';
export {
  Compensate,
  CompensateMetadata,
  type CompensationContext,
} from './decorators/compensate.decorator';
export { startTask } from './start-task';
export { TasksService, type TaskCreation } from './tasks.service';
export { TasksExtension } from './tasks.extension';
export { TaskHandleTools } from './handles/task-handle.tools';
export {
  TaskStore,
  type TaskPage,
  type TaskIdempotency,
  type TaskCreateOnce,
} from './storage/task.store';
export { InMemoryTaskStore, type InMemoryTaskStoreOptions } from './storage/in-memory-task.store';
export { RedisTaskStore, type RedisTaskStoreOptions } from './storage/redis-task.store';
export { TaskQueue, type TaskProcessor } from './runner/task-queue.interface';
export { InProcessTaskQueue } from './runner/in-process-task.queue';
export { BullMqTaskQueue, type BullMqTaskQueueOptions } from './runner/bullmq-task.queue';
export { TasksDefinitionError, isTasksDefinitionError } from './errors/tasks-definition.error';
export {
  TaskIdempotencyKeyReusedError,
  isTaskIdempotencyKeyReusedError,
} from './errors/task-idempotency-key-reused.error';
export {
  TASKS_EXTENSION_ID,
  RELATED_TASK_META_KEY,
  HANDLE_TOOL_NAMES,
  TASK_KEY,
  COMPENSATE_KEY,
} from './tasks.constants';
