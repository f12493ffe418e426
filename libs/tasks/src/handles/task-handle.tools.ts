import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { McpServers, ToolError, type JsonSchemaObject, type McpContext } from '@rampart/core';
import { isTerminal, type TaskRecord } from '../interfaces/task-record.interface';
import type { TasksModuleOptions } from '../interfaces/tasks-module-options.interface';
import { TasksService } from '../tasks.service';
import { ApprovalsService } from '../approvals/approvals.service';
import { HANDLE_TOOL_NAMES } from '../tasks.constants';
import { TASKS_MODULE_OPTIONS } from '../tasks.module-definition';

const TASK_ID_INPUT: JsonSchemaObject = {
  type: 'object',
  properties: { taskId: { type: 'string', description: 'The task id a tool answered.' } },
  required: ['taskId'],
  additionalProperties: false,
};

/** What the status tools answer about a task: its state, never its arguments. */
export function statusOf(t: TaskRecord): Record<string, unknown> {
  return {
    taskId: t.taskId,
    tool: t.tool,
    status: t.status,
    ...(t.statusMessage !== undefined && { statusMessage: t.statusMessage }),
    createdAt: new Date(t.createdAt).toISOString(),
    lastUpdatedAt: new Date(t.lastUpdatedAt).toISOString(),
    ttlMs: t.ttlMs,
    pollIntervalMs: t.pollIntervalMs,
    ...(t.status === 'input_required' && { inputRequests: t.inputRequests ?? {} }),
    ...(t.approvalId && { approvalId: t.approvalId }),
    ...(t.awaitingApproval && { awaitingApproval: true }),
    ...(t.error && { error: t.error }),
    ...(t.compensation && {
      compensation: { status: t.compensation.status, reason: t.compensation.reason },
    }),
  };
}

const answer = (t: TaskRecord) => ({
  content: [{ type: 'text', text: JSON.stringify(statusOf(t)) }],
  structuredContent: statusOf(t),
});

/**
 * The tools that serve task handles to clients without tasks (`handles: true`):
 * `get_task_status`, `get_task_result` (the tool's own result once the task is over) and
 * `cancel_task`. Each sees only the caller's own tasks; another identity's task answers the
 * same `TASK_NOT_FOUND` as an unknown id. None is ever held for an approval (`cancel_task` is
 * annotated `destructiveHint`, which `approvals.destructive` would otherwise catch).
 */
@Injectable()
export class TaskHandleTools implements OnApplicationBootstrap {
  constructor(
    private readonly tasks: TasksService,
    private readonly servers: McpServers,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    private readonly approvals: ApprovalsService,
  ) {}

  onApplicationBootstrap(): void {
    for (const host of this.servers.all()) {
      if (this.options.server !== undefined && this.options.server !== host.name) continue;
      const handled = host.registry.tools.list().some(
        (t) =>
          (t.execution?.taskSupport &&
            t.execution.taskSupport !== 'forbidden' &&
            this.tasks.handlesFor(t)) ||
          // A call held for an approval answers a handle to a client without tasks.
          (this.approvals.enabled && this.approvals.requirementOf(t) !== undefined),
      );
      if (!handled) continue;
      host.addTool({
        name: HANDLE_TOOL_NAMES.status,
        description:
          'The status of a task that a tool started: working, input_required, completed, failed or cancelled.',
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        input: TASK_ID_INPUT,
        handler: async (args: { taskId: string }, ctx: McpContext) =>
          answer(await this.find(ctx, args)),
      });
      host.addTool({
        name: HANDLE_TOOL_NAMES.result,
        description:
          "The result of a task that a tool started, once it is over: the tool's own result, or its error. While it runs, its status.",
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        input: TASK_ID_INPUT,
        handler: async (args: { taskId: string }, ctx: McpContext) => {
          const t = await this.find(ctx, args);
          if (!isTerminal(t.status)) return answer(t);
          if (t.status === 'completed' && t.result) return t.result;
          throw new ToolError(
            t.status === 'cancelled' ? 'CANCELLED' : 'TASK_FAILED',
            t.statusMessage ?? `The task ${t.status === 'cancelled' ? 'was cancelled' : 'failed'}`,
            { details: statusOf(t) },
          );
        },
      });
      host.addTool({
        name: HANDLE_TOOL_NAMES.cancel,
        description: 'Cancels a task that a tool started; a task already over is left as it is.',
        annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
        input: TASK_ID_INPUT,
        handler: async (args: { taskId: string }, ctx: McpContext) =>
          answer(await this.tasks.cancel(await this.find(ctx, args), false)),
      });
      // Never held for an approval: `cancel_task` is annotated destructive, and must cancel a
      // held call at once, whatever `approvals.destructive` says.
      for (const name of Object.values(HANDLE_TOOL_NAMES)) {
        const entry = host.registry.tools.get(name);
        if (entry) this.approvals.exemptTool(entry);
      }
    }
  }

  /** The caller's task, or the tool error an unknown (or someone else's) task answers. */
  private async find(ctx: McpContext, args: { taskId: string }): Promise<TaskRecord> {
    try {
      return await this.tasks.find(ctx.call, args?.taskId);
    } catch {
      throw new ToolError('TASK_NOT_FOUND', 'No such task', {
        fault: 'caller',
        suggestions: ['Use the taskId a tool answered; tasks are kept for their ttlMs only'],
      });
    }
  }
}
