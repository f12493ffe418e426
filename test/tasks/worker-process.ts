/**
 * A worker replica of the tasks fixture in a process of its own, for tests that kill it: no
 * HTTP, only the task store and the BullMQ worker on the queue the arguments name. Its tools are
 * the fixture's as replica "a" (where `fragile` and `once` hang until stopped). Prints
 * `worker ready <pid>` once its worker takes jobs.
 *
 * Run: node -r ts-node/register/transpile-only test/tasks/worker-process.ts <redisUrl> <keyPrefix> <queueName> <leaseMs>
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { McpModule } from '@rampart/core';
import { TasksModule } from '@rampart/tasks';
import { FixtureTaskTools, identify, REPLICA } from './tasks.fixture';

async function main(): Promise<void> {
  const [redis, keyPrefix, queueName, leaseMs] = process.argv.slice(2);
  @Module({
    imports: [
      McpModule.forRoot({ name: 'tasks-e2e', version: '1.0.0', http: false, identify }),
      TasksModule.forRoot({
        storage: { redis, keyPrefix },
        runner: { bullmq: { queueName } },
        leaseMs: Number(leaseMs),
      }),
    ],
    providers: [FixtureTaskTools, { provide: REPLICA, useValue: 'a' }],
  })
  class WorkerModule {}
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error', 'warn'],
  });
  await app.init();
  process.stdout.write(`worker ready ${process.pid}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
