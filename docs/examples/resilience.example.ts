// The resilience guide's example server, compiled and run by test/docs/examples.e2e-spec.ts.
import { Injectable, Module } from '@nestjs/common';
import { Args, Ctx, McpContext, McpModule, Tool, ToolError } from '@rampart/core';
import {
  Bulkhead,
  CircuitBreaker,
  Idempotent,
  RateLimit,
  ResilienceModule,
  Retry,
  Timeout,
} from '@rampart/resilience';

/** A stand-in for a flaky upstream API. */
@Injectable()
export class Upstream {
  failuresLeft = 1;
  charges = 0;

  async quote(symbol: string, signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw new ToolError('CANCELLED', 'aborted');
    if (this.failuresLeft-- > 0) throw new Error('ECONNRESET');
    return symbol.length * 10;
  }
}

@Injectable()
export class QuoteTools {
  constructor(private readonly upstream: Upstream) {}

  @Tool({ name: 'quote', annotations: { readOnlyHint: true } })
  @RateLimit([
    { name: 'burst', points: 5, perMs: 1_000 },
    { name: 'sustained', points: 100, perMs: 60_000 },
  ])
  @Timeout({ attemptMs: 2_000, overallMs: 5_000 })
  @Retry({ attempts: 3, backoff: 'decorrelated-jitter', initialDelayMs: 10, maxDelayMs: 100 })
  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 })
  @Bulkhead({ maxConcurrent: 8, maxQueue: 32 })
  async quote(@Args() args: { symbol: string }, @Ctx() ctx: McpContext) {
    return { symbol: args.symbol, price: await this.upstream.quote(args.symbol, ctx.signal) };
  }

  @Tool({ name: 'buy' })
  @Idempotent({ ttlMs: 86_400_000, argument: 'orderId' })
  buy(@Args() args: { orderId: string; symbol: string }) {
    return { orderId: args.orderId, charge: ++this.upstream.charges };
  }
}

@Module({
  imports: [
    McpModule.forRoot({ name: 'quotes', version: '1.0.0', http: { path: '/mcp' } }),
    ResilienceModule.forRoot({
      storage: { redis: process.env.QUOTES_REDIS_URL }, // memory when unset
      onRedisDown: 'insurance',
      loadShedding: { maxInFlight: 200 },
      tools: { quote: { bulkhead: { maxConcurrent: 4, maxQueue: 8 } } },
    }),
  ],
  providers: [QuoteTools, Upstream],
})
export class QuotesModule {}
