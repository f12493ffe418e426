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
export {
  RequiresApproval,
  RequiresApprovalMetadata,
  REQUIRES_APPROVAL_KEY,
} from './approvals/requires-approval.decorator';
export type {
  RequiresApprovalOptions,
  ApprovalKey,
  ApprovalRecord,
  ApprovalStatus,
  ApprovalCaller,
  ApprovalsOptions,
  ApprovalsAuthorize,
} from './approvals/approval.interfaces';
export {
  ApprovalsService,
  DEFAULT_APPROVAL_TTL_MS,
  DEFAULT_APPROVALS_PATH,
  type ApprovalView,
  type ApprovalDecision,
} from './approvals/approvals.service';
export {
  ApprovalSigner,
  argumentsHash,
  canonicalJson,
  MIN_APPROVAL_SECRET_BYTES,
} from './approvals/approval-signer';
export { ApprovalStore, APPROVAL_RETENTION_MS } from './approvals/approval.store';
export { InMemoryApprovalStore } from './approvals/in-memory-approval.store';
export {
  RedisApprovalStore,
  type RedisApprovalStoreOptions,
} from './approvals/redis-approval.store';
export {
  WebhookApprovalNotifier,
  type ApprovalNotifier,
  type ApprovalNotice,
  type WebhookApprovalNotifierOptions,
} from './approvals/approval-notifier';
export {
  ApprovalRefusal,
  isApprovalRefusal,
  type ApprovalRefusalReason,
} from './approvals/approval-refusal';
export {
  createApprovalsHandler,
  type ApprovalsHandler,
  type ApprovalsRoute,
  type ApprovalsBody,
} from './approvals/approvals-http.handler';
export { mountApprovals } from './approvals/approvals-http.mount';
export { ApprovalRoutes } from './approvals/approvals.routes';
