import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  MCP_CONTEXT_TYPE,
  McpExecutionContext,
  ToolError,
  isToolError,
  type McpCallInterceptor,
  type McpContext,
} from '@rampart/core';
import {
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  type IDefaultPolicyContext,
} from 'cockatiel';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { CallTimeoutError } from '../errors/call-timeout.error';
import { CircuitOpenError } from '../errors/circuit-open.error';
import {
  CANCELLED,
  CIRCUIT_OPEN,
  IDEMPOTENCY_KEY_TOO_LONG,
  OVERLOADED,
  TIMED_OUT,
} from '../errors/messages.constant';
import { OverloadedError } from '../errors/overloaded.error';
import { idempotencyCaller } from '../guards/rate-limit-key';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import type { BreakerEntry } from '../policies/breaker-registry.service';
import { runWithDeadline } from '../policies/attempt-deadline';
import type { CompiledPolicy, PolicyChain } from '../policies/compiled-policy';
import { ResiliencePolicies } from '../policies/resilience-policies.service';
import { publishRejection } from '../resilience-telemetry';
import { IDEMPOTENCY_META_KEY, MAX_IDEMPOTENCY_KEY_CHARS } from '../resilience.constants';
import { InvalidIdempotencyKeyError } from '../errors/invalid-idempotency-key.error';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { IdempotencyStorage } from '../storage/idempotency.storage';
import { IdempotencyRunner } from './idempotency-runner';
import { stableHash } from './stable-hash';

/** What the interceptor needs of one call. */
interface PlannedCall {
  policy: CompiledPolicy;
  ctx: McpContext;
  args: Record<string, unknown>;
}

/** Longest a `pending` idempotency record stands when the tool has no overall timeout. */
const DEFAULT_PENDING_MS = 300_000;

/**
 * Carries out every policy of a tool but its rate limits, in one fixed order whatever the order
 * of the decorators: idempotency → bulkhead → overall timeout → retry → circuit breaker →
 * per-attempt timeout → the method. Each attempt runs `next` again (Nest runs the
 * pipes and the method again) with `ctx.signal` narrowed to the attempt's deadline. Registered as
 * a global interceptor by `ResilienceModule`; passes through every non-MCP call and every handler
 * without a policy. Around MCP handlers Rampart calls its promise form (`interceptCall`), so a
 * call builds no observable.
 *
 * @example
 * ```ts
 * @Tool({ name: 'fetch_page', annotations: { readOnlyHint: true } })
 * @Timeout({ attemptMs: 2_000, overallMs: 5_000 })
 * @Retry({ attempts: 3, backoff: 'exponential' })
 * fetchPage(@Args() input: FetchInput, @Ctx() ctx: McpContext) { return fetch(input.url, { signal: ctx.signal }); }
 * ```
 */
@Injectable()
export class ResilienceInterceptor implements McpCallInterceptor, OnModuleInit, OnModuleDestroy {
  private readonly server?: string;
  private readonly idempotency: IdempotencyRunner;

  constructor(
    private readonly policies: ResiliencePolicies,
    @Inject(IdempotencyStorage) storage: IdempotencyStorage,
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
  ) {
    this.server = options.server;
    this.idempotency = new IdempotencyRunner(storage, options.onRedisDown ?? 'insurance');
  }

  onModuleInit(): void {
    this.idempotency.onModuleInit();
  }

  onModuleDestroy(): void {
    this.idempotency.onModuleDestroy();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = this.planOf(context);
    if (!call) return next.handle();
    return defer(() =>
      this.call(call, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }

  interceptCall(context: ExecutionContext, next: () => Promise<unknown>): Promise<unknown> {
    const call = this.planOf(context);
    return call ? this.call(call, next) : next();
  }

  /** The policy, context and arguments of an MCP call this interceptor has work for. */
  private planOf(context: ExecutionContext): PlannedCall | undefined {
    if (context.getType<string>() !== MCP_CONTEXT_TYPE) return undefined;
    const policy = this.policies.forCall(context);
    if (!policy?.intercepts) return undefined;
    const ctx = McpExecutionContext.getContext(context);
    if (this.server !== undefined && ctx.server !== this.server) return undefined;
    return { policy, ctx, args: McpExecutionContext.getArgs(context) ?? {} };
  }

  private call({ policy, ctx, args }: PlannedCall, next: () => Promise<unknown>): Promise<unknown> {
    const idem = policy.spec.idempotent;
    if (idem) {
      const key = this.idempotencyKey(ctx, args, idem.argument);
      if (key !== undefined && key.length > MAX_IDEMPOTENCY_KEY_CHARS)
        return Promise.reject(
          new InvalidIdempotencyKeyError(
            IDEMPOTENCY_KEY_TOO_LONG(MAX_IDEMPOTENCY_KEY_CHARS, key.length),
          ),
        );
      if (key !== undefined)
        return this.idempotency.run(
          {
            scope: `${ctx.server}:${policy.name}:${idempotencyCaller(ctx.identity, ctx.request)}:${key}`,
            key,
            fingerprint: stableHash(args),
            ttlMs: idem.ttlMs,
            // Whole milliseconds: Redis refuses a fractional `PX` (an `overallMs` may be one).
            pendingMs: Math.ceil(
              Math.min(idem.ttlMs, policy.spec.timeout?.overallMs ?? DEFAULT_PENDING_MS),
            ),
            signal: ctx.signal,
            server: ctx.server,
            tool: policy.name,
          },
          () => this.execute(policy, ctx, args, next),
        );
    }
    return this.execute(policy, ctx, args, next);
  }

  private idempotencyKey(
    ctx: McpContext,
    args: Record<string, unknown>,
    argument?: string,
  ): string | undefined {
    const fromMeta = ctx.meta?.[IDEMPOTENCY_META_KEY];
    if (typeof fromMeta === 'string' && fromMeta.length > 0) return fromMeta;
    const fromArgs = argument === undefined ? undefined : args[argument];
    return typeof fromArgs === 'string' && fromArgs.length > 0 ? fromArgs : undefined;
  }

  private async execute(
    policy: CompiledPolicy,
    ctx: McpContext,
    args: Record<string, unknown>,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    const attemptMs = policy.attemptMs;
    const callerSignal = ctx.signal;
    // A call the client cancelled (or whose connection closed) says nothing about the tool's
    // health: it fails as CANCELLED, a client fault, which no breaker counts and no retry repeats.
    const cancelled = () => new ToolError('CANCELLED', CANCELLED(policy.name));
    const failed = (error: unknown) =>
      callerSignal.aborted && !isToolError(error) ? cancelled() : error;
    const settle = (error: unknown) => {
      throw failed(error);
    };
    const attempt = ({ signal }: IDefaultPolicyContext): Promise<unknown> => {
      if (callerSignal.aborted) return Promise.reject(cancelled());
      // The overall deadline passed while a retry was waiting.
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      // Within the overall deadline (a signal of cockatiel's), `ctx.signal` is narrowed to it.
      const outer = signal === ctx.signal ? undefined : signal;
      if (attemptMs !== undefined) return runWithDeadline(attemptMs, ctx, next, outer, failed);
      if (!outer) return next().catch(settle);
      const restore = ctx.linkSignal(outer);
      return next().finally(restore).catch(settle);
    };
    let breaker: BreakerEntry | undefined;
    try {
      if (!policy.executes) return await attempt({ signal: callerSignal });
      let chain: PolicyChain;
      ({ policy: chain, breaker } = policy.select(args, ctx));
      // One probe at a time while half-open: the others are refused at once, not queued.
      if (breaker && (breaker.probing || (breaker.shared && (await breaker.openElsewhere()))))
        throw this.circuitOpen(policy, ctx, breaker);
      return await chain.execute(attempt, callerSignal);
    } catch (e) {
      throw this.translate(e, policy, ctx, callerSignal, breaker);
    }
  }

  private translate(
    e: unknown,
    policy: CompiledPolicy,
    ctx: McpContext,
    callerSignal: AbortSignal,
    breaker?: BreakerEntry,
  ): unknown {
    if (isBrokenCircuitError(e) || isIsolatedCircuitError(e))
      return this.circuitOpen(policy, ctx, breaker);
    if (isBulkheadRejectedError(e)) {
      publishRejection({
        server: ctx.server,
        tool: policy.name,
        reason: 'bulkhead',
        scope: 'tool',
      });
      return new OverloadedError(OVERLOADED(`Tool ${policy.name}`), {
        retryAfterMs: policy.spec.bulkhead?.retryAfterMs ?? 1_000,
      });
    }
    // The client cancelled the call or went away: not a timeout, and nobody reads the answer.
    // A tool error (not the policy's own cancellation) keeps Nest from logging it as a crash.
    if (callerSignal.aborted)
      return isToolError(e) ? e : new ToolError('CANCELLED', CANCELLED(policy.name));
    if (isTaskCancelledError(e)) {
      publishRejection({ server: ctx.server, tool: policy.name, reason: 'timeout', scope: 'tool' });
      const { attemptMs, overallMs } = policy.spec.timeout ?? {};
      return new CallTimeoutError(TIMED_OUT(`Tool ${policy.name}`, (overallMs ?? attemptMs)!), {
        details: {
          ...(attemptMs !== undefined && { attemptMs }),
          ...(overallMs !== undefined && { overallMs }),
        },
      });
    }
    return e;
  }

  private circuitOpen(policy: CompiledPolicy, ctx: McpContext, breaker?: BreakerEntry) {
    publishRejection({
      server: ctx.server,
      tool: policy.name,
      reason: 'circuit-open',
      scope: 'tool',
    });
    return new CircuitOpenError(CIRCUIT_OPEN(`Tool ${policy.name}`), {
      retryAfterMs: breaker?.retryAfterMs() ?? policy.spec.circuitBreaker?.halfOpenAfterMs,
      ...(breaker?.key !== undefined && { details: { key: breaker.key } }),
    });
  }
}
