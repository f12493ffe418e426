/** Identifier of the MCP tasks extension (2026-07-28). */
export const TASKS_EXTENSION_ID = 'io.modelcontextprotocol/tasks';

/** `_meta` key that ties a message to its task (2025-11-25). */
export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';

/** `_meta` key of a 2025-11-25 `CreateTaskResult`: text a host may hand the model at once. */
export const MODEL_IMMEDIATE_RESPONSE_META_KEY = 'io.modelcontextprotocol/model-immediate-response';

/** Metadata key of `@Task()`. */
export const TASK_KEY = 'RAMPART:TASK';

/** Metadata key of `@Compensate()`. */
export const COMPENSATE_KEY = 'RAMPART:COMPENSATE';

/** Time a task and its result are kept from creation, in milliseconds. */
export const DEFAULT_TASK_TTL_MS = 3_600_000;
/** Longest TTL a client may ask for (2025-11-25 `task.ttl`), in milliseconds. */
export const DEFAULT_MAX_TASK_TTL_MS = 86_400_000;
/** Suggested polling interval, in milliseconds. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** How long a worker's claim on a running task lasts without a heartbeat, in milliseconds. */
export const DEFAULT_LEASE_MS = 30_000;
/** Runs of a task, the first included, when workers die under it. */
export const DEFAULT_ATTEMPTS = 1;
/** Tasks one process runs at once (in-process runner and BullMQ worker). */
export const DEFAULT_CONCURRENCY = 16;
/** Page size of 2025-11-25 `tasks/list`. */
export const DEFAULT_LIST_PAGE_SIZE = 50;
/** Scope that lets an identity see, read and cancel every task of its tenant. */
export const DEFAULT_ADMIN_SCOPE = 'tasks:admin';

/** Names of the generated handle and status tools. */
export const HANDLE_TOOL_NAMES = {
  status: 'get_task_status',
  result: 'get_task_result',
  cancel: 'cancel_task',
} as const;

/**
 * Metadata key of `@Idempotent()` of `@rampart/resilience`, read here without depending on it:
 * a task tool that declares it creates one task per idempotency key.
 */
export const IDEMPOTENT_METADATA_KEY = 'RAMPART:IDEMPOTENT';

/** `_meta` key of a call's idempotency key (as `@rampart/resilience` reads it). */
export const IDEMPOTENCY_META_KEY = 'io.rampart/idempotency-key';
