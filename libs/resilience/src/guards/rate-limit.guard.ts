import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { MCP_CONTEXT_TYPE, McpExecutionContext, type McpContext } from '@rampart/core';
import { RateLimitedError } from '../errors/rate-limited.error';
import { RATE_LIMITED, RATE_LIMIT_UNAVAILABLE } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import type { CompiledPolicy } from '../policies/compiled-policy';
import { ResiliencePolicies } from '../policies/resilience-policies.service';
import { publishRejection } from '../resilience-telemetry';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { consumeAll, worstRefusal } from '../storage/limiter-verdict';
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
    const policy = this.policies.forCall(context);
    if (!policy?.spec.rateLimit) return true;
    const ctx = McpExecutionContext.getContext(context);
    if (this.server !== undefined && ctx.server !== this.server) return true;
    const limits = policy.spec.rateLimit;
    const args = McpExecutionContext.getArgs(context);
    const verdicts = consumeAll(this.storage, policy.rateLimitRules(ctx.server), (i) =>
      callBucketKey(limits[i].key, ctx, args),
    );
    // In memory the verdicts are there at once: the guard decides without a promise.
    return Array.isArray(verdicts)
      ? this.decide(policy, ctx, verdicts)
      : verdicts.then((v) => this.decide(policy, ctx, v));
  }

  /** Lets the call through, or refuses it with the verdict that waits longest. */
  private decide(policy: CompiledPolicy, ctx: McpContext, verdicts: RateLimitVerdict[]): true {
    const worst = worstRefusal(verdicts);
    if (worst === -1) return true;
    publishRejection({
      server: ctx.server,
      tool: policy.name,
      reason: 'rate-limit',
      scope: 'tool',
    });
    const verdict = verdicts[worst];
    const name = policy.spec.rateLimit![worst].name;
    throw new RateLimitedError(
      verdict.unavailable ? RATE_LIMIT_UNAVAILABLE() : RATE_LIMITED(name, verdict.retryAfterMs),
      {
        retryAfterMs: verdict.retryAfterMs,
        details: { limit: name, ...(verdict.unavailable && { storage: 'unavailable' }) },
      },
    );
  }
}
