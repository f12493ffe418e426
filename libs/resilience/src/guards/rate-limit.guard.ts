import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { MCP_CONTEXT_TYPE, McpExecutionContext } from '@rampart/core';
import { RateLimitedError } from '../errors/rate-limited.error';
import { RATE_LIMITED, RATE_LIMIT_UNAVAILABLE } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { ResiliencePolicies } from '../policies/resilience-policies.service';
import { publishRejection } from '../resilience-telemetry';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { RateLimitStorage, type RateLimitVerdict } from '../storage/rate-limit.storage';
import { callBucketKey } from './rate-limit-key';

/**
 * Carries out `@RateLimit()` (and `rateLimit` of the module's `defaults` / `tools`): every limit
 * of the tool takes one point from its bucket; when any is empty the call is refused with a
 * `RateLimitedError` (`RATE_LIMITED`, `retryAfterMs` of the longest wait). Registered as a global
 * guard by `ResilienceModule`; lets every non-MCP call and every tool without limits through.
 *
 * @example
 * ```ts
 * @Tool({ name: 'search' })
 * @RateLimit({ points: 10, perMs: 60_000 })
 * search(@Args() input: SearchInput) { ... }
 * ```
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly server?: string;

  constructor(
    private readonly policies: ResiliencePolicies,
    @Inject(RateLimitStorage) private readonly storage: RateLimitStorage,
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
  ) {
    this.server = options.server;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType<string>() !== MCP_CONTEXT_TYPE) return true;
    const limits = this.policies.get(context.getClass() as Type, context.getHandler())?.spec
      .rateLimit;
    if (!limits) return true;
    const ctx = McpExecutionContext.getContext(context);
    if (this.server !== undefined && ctx.server !== this.server) return true;
    return this.check(context, ctx.server);
  }

  private async check(context: ExecutionContext, server: string): Promise<boolean> {
    const ctx = McpExecutionContext.getContext(context);
    const args = McpExecutionContext.getArgs(context);
    const policy = this.policies.get(context.getClass() as Type, context.getHandler())!;
    const limits = policy.spec.rateLimit!;
    const verdicts = await Promise.all(
      limits.map((limit) =>
        this.storage.consume(
          {
            id: `${server}:${policy.name}:${limit.name}`,
            points: limit.points,
            perMs: limit.perMs,
            blockMs: limit.blockMs,
          },
          callBucketKey(limit.key, ctx, args),
        ),
      ),
    );
    let worst: { verdict: RateLimitVerdict; name: string } | undefined;
    verdicts.forEach((verdict, i) => {
      if (!verdict.allowed && (!worst || verdict.retryAfterMs > worst.verdict.retryAfterMs))
        worst = { verdict, name: limits[i].name };
    });
    if (!worst) return true;
    publishRejection({ server, tool: policy.name, reason: 'rate-limit', scope: 'tool' });
    const { verdict, name } = worst;
    throw new RateLimitedError(
      verdict.unavailable ? RATE_LIMIT_UNAVAILABLE() : RATE_LIMITED(name, verdict.retryAfterMs),
      {
        retryAfterMs: verdict.retryAfterMs,
        details: { limit: name, ...(verdict.unavailable && { storage: 'unavailable' }) },
      },
    );
  }
}
