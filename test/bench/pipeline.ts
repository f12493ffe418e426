/**
 * In-process benchmark of the call pipeline: the CPU time of one `tools/call` from the registry
 * entry through Nest's guards, interceptors, pipes (DTO validation) and the method, with no
 * transport, no HTTP and no load generator. It isolates what a stack of policies itself costs
 * per call, where `npm run bench` measures what it does to a loaded HTTP server (event-loop and
 * scheduling effects included). Variants run one after the other in one process, each against
 * the bare tool measured in the same run; figures are CPU µs per call and ratios.
 *
 * Usage: node test/bench/dist/pipeline.js [--calls 100000] [--concurrency 32]
 */
import 'reflect-metadata';
import { Injectable, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Args,
  createMcpCall,
  McpContext,
  McpModule,
  McpServers,
  Tool,
  type ToolOptions,
} from '@rampart/core';
import { CircuitBreaker, RateLimit, ResilienceModule, Retry, Timeout } from '@rampart/resilience';
import { IsString } from 'class-validator';
import { parseArgs } from 'node:util';

class EchoInput {
  @IsString()
  text!: string;
}

const TOOL: ToolOptions = { name: 'echo', annotations: { readOnlyHint: true } };

@Injectable()
class Bare {
  @Tool(TOOL)
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

@Injectable()
class WithRateLimit {
  @Tool(TOOL)
  @RateLimit({ points: 1_000_000_000, perMs: 60_000 })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

@Injectable()
class WithTimeout {
  @Tool(TOOL)
  @Timeout({ attemptMs: 5_000 })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

@Injectable()
class FullStack {
  @Tool(TOOL)
  @RateLimit({ points: 1_000_000_000, perMs: 60_000 })
  @Timeout({ attemptMs: 5_000 })
  @Retry({ attempts: 3, backoff: 'exponential' })
  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

const VARIANTS: { name: string; tools: Type; resilience: boolean }[] = [
  { name: 'bare', tools: Bare, resilience: false },
  { name: 'bare + ResilienceModule', tools: Bare, resilience: true },
  { name: 'rate limit', tools: WithRateLimit, resilience: true },
  { name: 'timeout', tools: WithTimeout, resilience: true },
  { name: 'rate limit + timeout + retry + breaker', tools: FullStack, resilience: true },
];

async function measure(
  variant: (typeof VARIANTS)[number],
  calls: number,
  concurrency: number,
): Promise<number> {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'pipeline', version: '1.0.0', http: false }),
      ...(variant.resilience ? [ResilienceModule.forRoot({})] : []),
    ],
    providers: [variant.tools],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const tool = app.get(McpServers).get('pipeline').registry.tools.get('echo')!;
  const noop = () => Promise.resolve();
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const abort = new AbortController();
      const call = createMcpCall({
        server: 'pipeline',
        id: i,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'hi' } },
        origin: { transport: 'http', era: 'modern', request: { ip: '127.0.0.1' } },
        signal: abort.signal,
        notify: noop,
        log: noop,
        send: noop,
      });
      const ctx = new McpContext(call, 'echo');
      const result = await tool.invoke({ text: 'hi' }, ctx);
      if (result !== 'hi') throw new Error(`${variant.name}: unexpected result ${String(result)}`);
    }
  };
  const all = (n: number) =>
    Promise.all(Array.from({ length: concurrency }, () => run(Math.ceil(n / concurrency))));
  await all(Math.min(calls, 20_000)); // warm-up
  const before = process.cpuUsage();
  await all(calls);
  const used = process.cpuUsage(before);
  await app.close();
  return (used.user + used.system) / (Math.ceil(calls / concurrency) * concurrency);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { calls: { type: 'string' }, concurrency: { type: 'string' } },
  });
  const calls = Number(values.calls ?? 100_000);
  const concurrency = Number(values.concurrency ?? 32);
  if (!(calls > 0) || !(concurrency > 0)) throw new Error('--calls and --concurrency: positive');
  console.log(
    `# Call pipeline, in process (Node ${process.version}; ${calls} calls, ${concurrency} at a time)\n`,
  );
  // A first pass warms the JIT up for every variant; the second is reported.
  for (const variant of VARIANTS) await measure(variant, Math.min(calls, 20_000), concurrency);
  console.log('| stack | CPU µs/call | added µs | calls per CPU-second ×bare |');
  console.log('|---|---:|---:|---:|');
  let bare = 0;
  for (const variant of VARIANTS) {
    const us = await measure(variant, calls, concurrency);
    if (variant.name === 'bare') bare = us;
    console.log(
      `| ${variant.name} | ${us.toFixed(2)} | ${(us - bare).toFixed(2)} | ${(bare / us).toFixed(2)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
