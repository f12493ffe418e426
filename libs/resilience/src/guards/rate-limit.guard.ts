import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { MCP_CONTEXT_TYPE, McpExecutionContext, type McpContext } from '@rampart/core';
import { RateLimitedError } from '../errors/rate-limited.error';
import { RATE_LIMITED, RATE_LIMIT_UNAVAILABLE } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import type { CompiledPolicy } from '../policies/compiled-policy';
import { ResiliencePolicies } from '../policies/resilience-policies.service';
import { publishRejection } from '../resilience-telemetry';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { worstRefusal } from '../storage/limiter-verdict';
import { RateLimitStorage } from '../storage/rate-limit.storage';
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
    const policy = this.policies.forCall(context);
    if (!policy?.spec.rateLimit) return true;
    const ctx = McpExecutionContext.getContext(context);
    if (this.server !== undefined && ctx.server !== this.server) return true;
    return this.check(policy, ctx, McpExecutionContext.getArgs(context));
  }

  private async check(
    policy: CompiledPolicy,
    ctx: McpContext,
    args: Record<string, unknown>,
  ): Promise<boolean> {
    const limits = policy.spec.rateLimit!;
    const rules = policy.rateLimitRules(ctx.server);
    const consume = (i: number) =>
      this.storage.consume(rules[i], callBucketKey(limits[i].key, ctx, args));
    // Most tools have one limit: no Promise.all for them.
    const verdicts =
      rules.length === 1 ? [await consume(0)] : await Promise.all(rules.map((_, i) => consume(i)));
    const worst = worstRefusal(verdicts);
    if (worst === -1) return true;
    publishRejection({
      server: ctx.server,
      tool: policy.name,
      reason: 'rate-limit',
      scope: 'tool',
    });
    const verdict = verdicts[worst];
    const name = limits[worst].name;
    throw new RateLimitedError(
      verdict.unavailable ? RATE_LIMIT_UNAVAILABLE() : RATE_LIMITED(name, verdict.retryAfterMs),
      {
        retryAfterMs: verdict.retryAfterMs,
        details: { limit: name, ...(verdict.unavailable && { storage: 'unavailable' }) },
      },
    );
  }
}
