import type { TaskRecord, TaskStatus } from './interfaces/task-record.interface';
import { MODEL_IMMEDIATE_RESPONSE_META_KEY } from './tasks.constants';

const iso = (ms: number) => new Date(ms).toISOString();

/** The `Task` of the tasks extension (2026-07-28): status and hints, nothing inlined. */
export function modernTask(t: TaskRecord): Record<string, unknown> {
  return {
    taskId: t.taskId,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    createdAt: iso(t.createdAt),
    lastUpdatedAt: iso(t.lastUpdatedAt),
    ttlMs: t.ttlMs,
    pollIntervalMs: t.pollIntervalMs,
  };
}

/** `CreateTaskResult` (2026-07-28): the flat task with `resultType: "task"`. */
export function modernCreateResult(t: TaskRecord): Record<string, unknown> {
  return { resultType: 'task', ...modernTask(t) };
}

/**
 * `DetailedTask` (2026-07-28 `tasks/get`): the task with what its status inlines — the open
 * questions, the result or the error.
 */
export function modernDetailedTask(t: TaskRecord): Record<string, unknown> {
  const task = modernTask(t);
  switch (t.status) {
    case 'input_required':
      return { ...task, inputRequests: t.inputRequests ?? {} };
    case 'completed':
      return { ...task, result: t.result ?? { content: [] } };
    case 'failed':
      return { ...task, error: t.error ?? { code: -32603, message: 'Internal error' } };
    default:
      return task;
  }
}

/**
 * The status a 2025-11-25 client sees: that revision reports a tool result with `isError` as
 * `failed`, where the extension reports it `completed`.
 */
export function legacyStatus(t: TaskRecord): TaskStatus {
  return t.status === 'completed' && t.result?.isError === true ? 'failed' : t.status;
}

/** The `Task` of 2025-11-25: `ttl` and `pollInterval`, in milliseconds. */
export function legacyTask(t: TaskRecord): Record<string, unknown> {
  return {
    taskId: t.taskId,
    status: legacyStatus(t),
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    createdAt: iso(t.createdAt),
    lastUpdatedAt: iso(t.lastUpdatedAt),
    ttl: t.ttlMs,
    pollInterval: t.pollIntervalMs,
  };
}

/**
 * `CreateTaskResult` of 2025-11-25 (`{ task }`), with the text a host may give the model at once.
 * It also carries an empty `content`: the SDK checks a `tools/call` result as a
 * `CallToolResult` on that revision, whose content is required; clients read `task`.
 */
export function legacyCreateResult(t: TaskRecord, immediate: string): Record<string, unknown> {
  return {
    task: legacyTask(t),
    content: [],
    _meta: { [MODEL_IMMEDIATE_RESPONSE_META_KEY]: immediate },
  };
}
