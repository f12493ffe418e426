import { Inject, Injectable } from '@nestjs/common';
import {
  answerWithToolError,
  JsonRpcErrorCode,
  McpExtension,
  McpProtocolError,
  type McpCall,
  type McpExtensionMethod,
  type McpExtensionResult,
  type McpProtocolExtension,
  type ToolEntry,
} from '@rampart/core';
import {
  TASK_FORBIDDEN,
  TASK_REQUIRED,
  TASK_STARTED,
  TASKS_CAPABILITY_REQUIRED,
} from './errors/messages.constant';
import { isTaskIdempotencyKeyReusedError } from './errors/task-idempotency-key-reused.error';
import { isTerminal, type TaskRecord } from './interfaces/task-record.interface';
import type { TasksModuleOptions } from './interfaces/tasks-module-options.interface';
import { taskRuns, taskStarters } from './task-runs';
import {
  legacyCreateResult,
  legacyTask,
  modernCreateResult,
  modernDetailedTask,
} from './task-wire';
import { TasksService } from './tasks.service';
import { ApprovalsService } from './approvals/approvals.service';
import type { RequiresApprovalOptions } from './approvals/approval.interfaces';
import { RELATED_TASK_META_KEY, TASKS_EXTENSION_ID } from './tasks.constants';
import { TASKS_MODULE_OPTIONS } from './tasks.module-definition';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The `-32021` answer to a request that needs the tasks extension its client did not declare. */
function missingTasksCapability(what: string): McpProtocolError {
  return new McpProtocolError(
    JsonRpcErrorCode.MissingRequiredClientCapability,
    TASKS_CAPABILITY_REQUIRED(what),
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } },
    400,
  );
}

/** Whether the request declares the tasks extension in its client capabilities (2026-07-28). */
export function declaresTasks(call: McpCall): boolean {
  const extensions = (call.origin.clientCapabilities as { extensions?: unknown } | undefined)
    ?.extensions;
  return isObject(extensions) && extensions[TASKS_EXTENSION_ID] !== undefined;
}

/**
 * Tasks on the wire, in both eras, served by the core dispatcher:
 *
 * - 2026-07-28, the `io.modelcontextprotocol/tasks` extension: server-directed task creation on
 *   `tools/call` for requests that declare the extension (`CreateTaskResult`,
 *   `resultType: "task"`), `tasks/get` (the task with its questions, result or error inlined),
 *   `tasks/update` (answers) and `tasks/cancel` (empty acknowledgements), `-32021` for requests
 *   without the extension;
 * - 2025-11-25: task-augmented `tools/call` (`params.task`), `tasks/get`, `tasks/result`
 *   (blocks until the task is over, asking the task's questions on its own stream meanwhile),
 *   `tasks/list` and `tasks/cancel`, the `tasks` capability, `execution.taskSupport` in
 *   `tools/list`.
 */
@McpExtension()
@Injectable()
export class TasksExtension implements McpProtocolExtension {
  readonly capabilities = {
    modern: { extensions: { [TASKS_EXTENSION_ID]: {} } },
    legacy: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
  };

  readonly methods: Record<string, McpExtensionMethod> = {
    'tasks/get': { handle: (call) => this.get(call) },
    'tasks/cancel': { handle: (call) => this.cancel(call) },
    'tasks/update': { eras: ['modern'], handle: (call) => this.update(call) },
    'tasks/result': { eras: ['legacy'], handle: (call) => this.result(call) },
    'tasks/list': { eras: ['legacy'], handle: (call) => this.list(call) },
  };

  constructor(
    private readonly tasks: TasksService,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    private readonly approvals: ApprovalsService,
  ) {}

  enabledFor(server: string): boolean {
    return this.options.server === undefined || this.options.server === server;
  }

  // ---------------------------------------------------------------------------------- tools/call

  async callTool(
    call: McpCall,
    tool: ToolEntry,
    run: () => Promise<McpExtensionResult>,
  ): Promise<McpExtensionResult> {
    if (taskRuns.has(call)) return run();
    const approval = this.approvals.requirementOf(tool);
    if (approval) return this.holdForApproval(call, tool, approval);
    const support = tool.execution?.taskSupport ?? 'forbidden';
    if (call.origin.era === 'modern') {
      if (support === 'forbidden') return run();
      if (declaresTasks(call)) return this.startTask(call, tool, 'extension', run);
      if (this.tasks.handlesFor(tool)) return this.startTask(call, tool, 'handle', run);
      if (support === 'required') throw missingTasksCapability(`tools/call of ${tool.name}`);
      return run();
    }
    const augmented = isObject(call.params.task);
    if (augmented) {
      if (support === 'forbidden')
        throw new McpProtocolError(JsonRpcErrorCode.MethodNotFound, TASK_FORBIDDEN(tool.name));
      const ttl = (call.params.task as { ttl?: unknown }).ttl;
      return this.startTask(
        call,
        tool,
        'augmented',
        run,
        typeof ttl === 'number' ? ttl : undefined,
      );
    }
    if (support === 'forbidden') return run();
    if (this.tasks.handlesFor(tool)) return this.startTask(call, tool, 'handle', run);
    if (support === 'required')
      throw new McpProtocolError(JsonRpcErrorCode.MethodNotFound, TASK_REQUIRED(tool.name));
    return run();
  }

  /**
   * Creates the task of a call (or, for `@Task({ start: 'handler' })`, runs the method in the
   * request until it calls `startTask(ctx)`), and answers its handle for the era.
   */
  private async startTask(
    call: McpCall,
    tool: ToolEntry,
    via: TaskRecord['via'],
    run: () => Promise<McpExtensionResult>,
    requestedTtlMs?: number,
  ): Promise<McpExtensionResult> {
    const create = async (answers?: Record<string, unknown>) => {
      let task: TaskRecord;
      try {
        task = await this.tasks.create(call, tool, { via, requestedTtlMs, answers });
      } catch (e) {
        // A reused idempotency key is the caller's fault: the call's tool error.
        if (isTaskIdempotencyKeyReusedError(e))
          return answerWithToolError(call, e) as McpExtensionResult;
        throw e;
      }
      // The handle in the form this call asked for (an idempotent repeat may come another way).
      return this.handleOf(task, via);
    };
    if (this.tasks.optionsOf(tool).start === 'handler') {
      taskStarters.set(call, create);
      return run();
    }
    return create();
  }

  /**
   * A call that needs an approval becomes a task held for it, whatever the tool's task support:
   * a task for a client that takes tasks, a handle for any other (served by the status tools).
   */
  private async holdForApproval(
    call: McpCall,
    tool: ToolEntry,
    requirement: RequiresApprovalOptions,
  ): Promise<McpExtensionResult> {
    let via: TaskRecord['via'] = 'handle';
    let requestedTtlMs: number | undefined;
    if (call.origin.era === 'modern' && declaresTasks(call)) via = 'extension';
    else if (call.origin.era === 'legacy' && isObject(call.params.task)) {
      via = 'augmented';
      const ttl = (call.params.task as { ttl?: unknown }).ttl;
      if (typeof ttl === 'number') requestedTtlMs = ttl;
    }
    const t = await this.approvals.request(call, tool, requirement, { via, requestedTtlMs });
    return this.handleOf(t, via);
  }

  /** What the client gets when its call became a task. */
  private handleOf(t: TaskRecord, via: TaskRecord['via']): McpExtensionResult {
    switch (via) {
      case 'extension':
        return modernCreateResult(t);
      case 'augmented':
        return legacyCreateResult(t, TASK_STARTED(t.tool));
      case 'handle':
        return {
          content: [
            {
              type: 'text',
              text: `${t.awaitingApproval ? `${t.statusMessage}. ` : ''}${TASK_STARTED(t.tool)}. Task id: ${t.taskId}; poll about every ${t.pollIntervalMs} ms.`,
            },
          ],
          structuredContent: {
            taskId: t.taskId,
            status: t.status,
            pollIntervalMs: t.pollIntervalMs,
            ttlMs: t.ttlMs,
            ...(t.approvalId && { approvalId: t.approvalId }),
            ...(t.awaitingApproval && { statusMessage: t.statusMessage }),
          },
        };
    }
  }

  // ---------------------------------------------------------------------------------- methods

  /** 2026-07-28 task methods need the extension in the request's capabilities. */
  private gate(call: McpCall): void {
    if (call.origin.era === 'modern' && !declaresTasks(call))
      throw missingTasksCapability(call.method);
  }

  private async get(call: McpCall): Promise<McpExtensionResult> {
    this.gate(call);
    const t = await this.tasks.find(call, call.params.taskId);
    return call.origin.era === 'modern' ? modernDetailedTask(t) : legacyTask(t);
  }

  private async cancel(call: McpCall): Promise<McpExtensionResult> {
    this.gate(call);
    const t = await this.tasks.find(call, call.params.taskId);
    if (call.origin.era === 'modern') {
      await this.tasks.cancel(t, false);
      return {};
    }
    return legacyTask(await this.tasks.cancel(t, true));
  }

  private async update(call: McpCall): Promise<McpExtensionResult> {
    this.gate(call);
    const responses = call.params.inputResponses;
    if (!isObject(responses))
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: tasks/update needs an "inputResponses" object',
      );
    const t = await this.tasks.find(call, call.params.taskId);
    await this.tasks.answer(t, responses);
    return {};
  }

  private async list(call: McpCall): Promise<McpExtensionResult> {
    const page = await this.tasks.list(call, call.params.cursor);
    return {
      tasks: page.tasks.map(legacyTask),
      ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
    };
  }

  /**
   * 2025-11-25 `tasks/result`: waits until the task is over and answers what its `tools/call`
   * would have (the result, or the JSON-RPC error), tagged with the task. While the task waits
   * for input, its questions go to the client on this request's stream, as requests tied to the
   * task, and their answers resume it.
   */
  private async result(call: McpCall): Promise<McpExtensionResult> {
    let t = await this.tasks.find(call, call.params.taskId);
    const asked = new Set<string>();
    while (!isTerminal(t.status)) {
      if (call.signal.aborted)
        throw new McpProtocolError(JsonRpcErrorCode.InternalError, 'Request cancelled');
      if (t.status === 'input_required' && t.inputRequests) {
        const open = Object.entries(t.inputRequests).filter(([key]) => !asked.has(key));
        if (open.length) {
          const answers: Record<string, unknown> = {};
          for (const [key, request] of open) {
            asked.add(key);
            const { method, params } = request as {
              method: string;
              params?: Record<string, unknown>;
            };
            answers[key] = await call.send({
              method,
              params: {
                ...params,
                _meta: {
                  ...(params?._meta as object),
                  [RELATED_TASK_META_KEY]: { taskId: t.taskId },
                },
              },
            });
          }
          t = await this.tasks.answer(t, answers);
          continue;
        }
      }
      await call.notify({ method: 'notifications/tasks/status', params: legacyTask(t) });
      const version = t.version;
      do {
        const next = await this.tasks.waitForChange(
          t.taskId,
          version,
          call.signal,
          Math.min(t.pollIntervalMs, 500),
        );
        if (!next)
          throw new McpProtocolError(
            JsonRpcErrorCode.InvalidParams,
            'Failed to retrieve task: Task has expired',
          );
        t = next;
      } while (t.version === version && !call.signal.aborted);
    }
    const related = { [RELATED_TASK_META_KEY]: { taskId: t.taskId } };
    if (t.status === 'failed' && t.error)
      throw new McpProtocolError(t.error.code, t.error.message, t.error.data);
    if (t.status === 'cancelled')
      return {
        content: [{ type: 'text', text: t.statusMessage ?? 'The task was cancelled.' }],
        isError: true,
        _meta: related,
      };
    const result = t.result ?? { content: [] };
    return { ...result, _meta: { ...(result._meta as object), ...related } };
  }
}
