import { Injectable } from '@nestjs/common';
import {
  Args,
  Ctx,
  JsonRpcErrorCode,
  McpContext,
  McpProtocolError,
  Tool,
  ToolError,
} from '@rampart/core';
import { startTask, Task } from '@rampart/tasks';

/** Waits `ms`, or rejects when `signal` aborts (a cancelled task stops here). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

const confirmSchema = {
  type: 'object' as const,
  properties: { confirm: { type: 'boolean' as const }, name: { type: 'string' as const } },
};

/** The fixture tools of the suite's tasks scenarios (SEP-2663, the tasks extension). */
@Injectable()
export class TaskTools {
  @Tool({
    name: 'greet',
    description: 'Greets someone at once (never a task)',
    input: {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
    },
  })
  greet(@Args() args: { name: string }) {
    return `Hello, ${args.name}!`;
  }

  @Tool({
    name: 'slow_compute',
    description: 'Sleeps for `seconds`, then answers; runs as a task for clients that take tasks',
    input: {
      type: 'object',
      properties: { seconds: { type: 'number', minimum: 0 }, label: { type: 'string' } },
    },
    execution: { taskSupport: 'optional' },
  })
  @Task({ pollIntervalMs: 200 })
  async slowCompute(@Args() args: { seconds?: number; label?: string }, @Ctx() ctx: McpContext) {
    await sleep((args.seconds ?? 0) * 1000, ctx.signal);
    return `Computed ${args.label ?? 'result'} after ${args.seconds ?? 0}s`;
  }

  @Tool({
    name: 'failing_job',
    description: 'Always fails with a tool error after about a second; only as a task',
    execution: { taskSupport: 'required' },
  })
  @Task({ pollIntervalMs: 200 })
  async failingJob(@Ctx() ctx: McpContext) {
    await sleep(1000, ctx.signal);
    throw new ToolError('JOB_FAILED', 'The job failed, as it always does');
  }

  @Tool({
    name: 'protocol_error_job',
    description: 'Fails with a JSON-RPC internal error; runs as a task',
    execution: { taskSupport: 'optional' },
  })
  @Task({ pollIntervalMs: 200 })
  async protocolErrorJob() {
    throw new McpProtocolError(
      JsonRpcErrorCode.InternalError,
      'The job broke at the protocol level',
    );
  }

  @Tool({
    name: 'confirm_delete',
    description: 'Asks to confirm, then deletes (pretends to) `filename`',
    input: { type: 'object', properties: { filename: { type: 'string' } } },
    execution: { taskSupport: 'optional' },
  })
  @Task({ pollIntervalMs: 200 })
  async confirmDelete(@Args() args: { filename?: string }, @Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      {
        mode: 'form',
        message: `Delete ${args.filename ?? 'the file'}?`,
        requestedSchema: confirmSchema,
      },
      'confirm',
    );
    return answer.action === 'accept' ? `Deleted ${args.filename}` : `Kept ${args.filename}`;
  }

  @Tool({
    name: 'multi_input',
    description: 'Asks two questions at once, then answers with both',
    execution: { taskSupport: 'optional' },
  })
  @Task({ pollIntervalMs: 200 })
  async multiInput(@Ctx() ctx: McpContext) {
    const answers = await ctx.askAll({
      first: {
        method: 'elicitation/create',
        params: { mode: 'form', message: 'First value?', requestedSchema: confirmSchema },
      },
      second: {
        method: 'elicitation/create',
        params: { mode: 'form', message: 'Second value?', requestedSchema: confirmSchema },
      },
    } as never);
    const name = (k: 'first' | 'second') =>
      ((answers[k] as { content?: { name?: string } }).content?.name ?? k).toString();
    return `Got ${name('first')} and ${name('second')}`;
  }

  @Tool({
    name: 'test_tool_with_task',
    description: 'Asks a name in the request (input_required), then greets as a task',
    execution: { taskSupport: 'required' },
  })
  @Task({ start: 'handler', pollIntervalMs: 200 })
  async toolWithTask(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      {
        mode: 'form',
        message: 'What is your name?',
        requestedSchema: {
          type: 'object',
          properties: { name: { type: 'string' } },
          required: ['name'],
        },
      },
      'user_name',
    );
    await startTask(ctx);
    return `Hello, ${(answer.content as { name?: string } | undefined)?.name ?? 'stranger'}!`;
  }
}
