import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Args, Ctx, McpContext, McpModule, Tool, ToolError } from '@rampart/core';
import {
  Bulkhead,
  CircuitBreaker,
  Idempotent,
  RateLimit,
  ResilienceModule,
  Retry,
  Timeout,
  type ResilienceModuleOptions,
} from '@rampart/resilience';

/** A gate that tests open to let held calls finish. */
export class Gate {
  private waiters: (() => void)[] = [];
  entered = 0;
  wait(): Promise<void> {
    this.entered++;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  open(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
}

/** Tools that exercise each policy; counters show how often each method really ran. */
@Injectable()
export class ResilientTools {
  readonly calls: Record<string, number> = {};
  readonly gate = new Gate();
  timedOutSignalAborted?: boolean;

  private count(name: string): number {
    return (this.calls[name] = (this.calls[name] ?? 0) + 1);
  }

  @Tool({ name: 'limited', annotations: { readOnlyHint: true } })
  @RateLimit([
    { name: 'burst', points: 2, perMs: 60_000 },
    { name: 'sustained', points: 100, perMs: 3_600_000 },
  ])
  limited() {
    return `ok ${this.count('limited')}`;
  }

  @Retry({ attempts: 3, backoff: 'exponential', initialDelayMs: 1, maxDelayMs: 5 })
  @Tool({ name: 'flaky', annotations: { idempotentHint: true } })
  flaky() {
    if (this.count('flaky') % 3 !== 0) throw new Error('transient');
    return 'recovered';
  }

  @Tool({ name: 'refused', annotations: { readOnlyHint: true } })
  @Retry({ attempts: 5, initialDelayMs: 1 })
  refused() {
    this.count('refused');
    throw new ToolError('BAD_INPUT', 'never retried', { retryable: false });
  }

  // Decorators in "wrong" order on purpose: the breaker still sits inside the retry.
  @CircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 600_000 })
  @Retry({ attempts: 5, initialDelayMs: 1, maxDelayMs: 1 })
  @Tool({ name: 'broken', annotations: { readOnlyHint: true } })
  broken() {
    this.count('broken');
    throw new Error('upstream down');
  }

  @Tool({ name: 'slow', annotations: { readOnlyHint: true } })
  @Timeout({ attemptMs: 50 })
  async slow(@Ctx() ctx: McpContext) {
    this.count('slow');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    this.timedOutSignalAborted = ctx.signal.aborted;
    return 'too late';
  }

  @Timeout({ overallMs: 100 })
  @Retry({ attempts: 1000, initialDelayMs: 10, maxDelayMs: 10 })
  @Tool({ name: 'deadline', annotations: { readOnlyHint: true } })
  deadline() {
    this.count('deadline');
    throw new Error('still failing');
  }

  @Tool({ name: 'bulk', annotations: { readOnlyHint: true } })
  @Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
  async bulk() {
    this.count('bulk');
    await this.gate.wait();
    return 'done';
  }

  @Tool({ name: 'charge' })
  @Idempotent({ ttlMs: 60_000, argument: 'requestId' })
  async charge(@Args() args: { requestId?: string; amount: number }) {
    const n = this.count('charge');
    await new Promise((r) => setTimeout(r, 20));
    return { charged: args.amount, run: n };
  }

  /** Fails while `failing` is set; its breaker is shared through the storage. */
  failing = true;

  @Tool({ name: 'shared_breaker', annotations: { readOnlyHint: true } })
  @CircuitBreaker({
    consecutiveFailures: 1,
    halfOpenAfterMs: 600_000,
    shared: true,
    critical: true,
  })
  sharedBreaker() {
    this.count('shared_breaker');
    if (this.failing) throw new Error('upstream down');
    return 'fine';
  }

  @Tool({ name: 'plain' })
  plain() {
    return 'plain';
  }
}

/** The fixture app: one server with the tools above. */
@Module({})
export class ResilienceFixtureModule {
  static register(options: ResilienceModuleOptions = {}, name = 'resilient'): DynamicModule {
    return {
      module: ResilienceFixtureModule,
      imports: [
        McpModule.forRoot({ name, version: '1.0.0', http: { path: '/mcp' } }),
        ResilienceModule.forRoot(options),
      ],
      providers: [ResilientTools],
    };
  }
}
