// The tasks guide's example server, compiled and run by test/docs/tasks-example.e2e-spec.ts.
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { setTimeout as sleep } from 'node:timers/promises';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { Idempotent } from '@rampart/resilience';
import { Compensate, Task, TasksModule, type CompensationContext } from '@rampart/tasks';

export class ExportInput {
  @Matches(/^\d{4}-\d{2}$/)
  month!: string;

  @IsIn(['csv', 'json'])
  format!: string;

  /** Pages to export; each takes `pageMs`. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  pages!: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  pageMs?: number;

  /** The client's idempotency key, when it does not send one in `_meta`. */
  @IsOptional()
  @IsString()
  requestId?: string;
}

/** A stand-in for the export store: what was started, written and discarded. */
@Injectable()
export class ExportStore {
  readonly started: string[] = [];
  readonly written: string[] = [];
  readonly discarded: string[] = [];
}

@Injectable()
export class ExportTools {
  constructor(private readonly store: ExportStore) {}

  // A task: the client gets a task (or, without the tasks extension, a handle) at once.
  // One task per idempotency key; a worker that dies mid-run gives it one more run.
  @Tool({ name: 'export_orders', execution: { taskSupport: 'optional' } })
  @Task({ pollIntervalMs: 500, attempts: 2, handle: true })
  @Idempotent({ ttlMs: 24 * 3_600_000, argument: 'requestId' })
  @Compensate('discardExport')
  async exportOrders(@Args() input: ExportInput, @Ctx() ctx: McpContext) {
    this.store.started.push(input.month);
    for (let page = 1; page <= input.pages; page++) {
      // Aborts when the task is cancelled (or its replica shuts down).
      await sleep(input.pageMs ?? 0, undefined, { signal: ctx.signal });
      ctx.progress(page, `page ${page}`, input.pages);
    }
    const file = `orders-${input.month}.${input.format}`;
    this.store.written.push(file);
    return { file, pages: input.pages };
  }

  // Runs once when a task whose method started fails or is cancelled.
  discardExport(input: ExportInput, info: CompensationContext) {
    this.store.discarded.push(`${input.month}:${info.reason}`);
  }
}

/**
 * The exports server. With `REDIS_URL` every replica shares the tasks; with `TASKS_RUNNER=bullmq`
 * too, tasks wait in a BullMQ queue that any replica's worker takes them from.
 */
@Module({})
export class ExportsModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const redis = env.REDIS_URL;
    return {
      module: ExportsModule,
      imports: [
        McpModule.forRoot({ name: 'exports', version: '1.0.0', http: { path: '/mcp' } }),
        TasksModule.forRoot({
          ...(redis && { storage: { redis, keyPrefix: env.TASKS_KEY_PREFIX ?? 'exports:tasks:' } }),
          runner:
            redis && env.TASKS_RUNNER === 'bullmq'
              ? { bullmq: { queueName: env.TASKS_QUEUE ?? 'exports-tasks' } }
              : 'in-process',
          handles: true,
          leaseMs: 10_000,
        }),
      ],
      providers: [ExportStore, ExportTools],
    };
  }
}
