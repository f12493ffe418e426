import { Inject, Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ToolMetadata } from '@rampart/core';
import { BulkheadMetadata } from '../decorators/bulkhead.decorator';
import { CircuitBreakerMetadata } from '../decorators/circuit-breaker.decorator';
import { IdempotentMetadata } from '../decorators/idempotent.decorator';
import { RateLimitMetadata } from '../decorators/rate-limit.decorator';
import { RetryMetadata } from '../decorators/retry.decorator';
import { TimeoutMetadata } from '../decorators/timeout.decorator';
import { ResilienceDefinitionError } from '../errors/resilience-definition.error';
import { UNSAFE_RETRY } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { BreakerRegistry } from './breaker-registry.service';
import { CompiledPolicy } from './compiled-policy';
import { validatePolicy, validateRateLimits, type NormalizedPolicy } from './policy-validation';

// Nest hands handlers over as `Function`.
// oxlint-disable-next-line typescript/no-unsafe-function-type
type Handler = Function;
const KINDS = [
  'rateLimit',
  'retry',
  'circuitBreaker',
  'timeout',
  'bulkhead',
  'idempotent',
] as const;

/**
 * Resolves each handler's policies once (decorators, module `defaults` and `tools`) and caches
 * the compiled result by handler. Checks every tool at boot, so that a bad combination (a retry
 * on a tool that is not idempotent) fails `app.init()`, not a call.
 *
 * @example
 * ```ts
 * const policy = policies.get(context.getClass(), context.getHandler());
 * ```
 */
@Injectable()
export class ResiliencePolicies implements OnModuleInit {
  private readonly cache = new WeakMap<Handler, CompiledPolicy | null>();
  private readonly defaults: NormalizedPolicy;
  private readonly tools: Record<string, NormalizedPolicy>;
  private readonly random: () => number;

  constructor(
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly breakers: BreakerRegistry,
  ) {
    this.defaults = options.defaults
      ? validatePolicy(options.defaults, 'ResilienceModule option defaults')
      : {};
    this.tools = Object.fromEntries(
      Object.entries(options.tools ?? {}).map(([name, p]) => [
        name,
        validatePolicy(p, `ResilienceModule option tools["${name}"]`),
      ]),
    );
    if (options.endpointRateLimit !== undefined) {
      const limits = validateRateLimits(
        options.endpointRateLimit,
        'ResilienceModule option endpointRateLimit',
      );
      if (limits.some((l) => typeof l.key === 'function'))
        throw new ResilienceDefinitionError(
          "Invalid ResilienceModule option endpointRateLimit: key must be 'identity', 'tenant' or 'ip' (an endpoint limit runs before the call has a context)",
        );
    }
    const lf = options.loadShedding;
    if (lf !== undefined && !(Number.isInteger(lf.maxInFlight) && lf.maxInFlight > 0))
      throw new ResilienceDefinitionError(
        `Invalid ResilienceModule option loadShedding.maxInFlight: a positive integer, got ${String(lf.maxInFlight)}`,
      );
    if (
      options.onRedisDown !== undefined &&
      !['insurance', 'fail-closed'].includes(options.onRedisDown)
    )
      throw new ResilienceDefinitionError(
        `Invalid ResilienceModule option onRedisDown: 'insurance' or 'fail-closed', got ${String(options.onRedisDown)}`,
      );
    this.random = options.random ?? Math.random;
  }

  /** Compiles every MCP handler's policy now, so that mistakes fail the boot. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (
        !instance ||
        typeof instance !== 'object' ||
        !metatype ||
        !wrapper.isDependencyTreeStatic()
      )
        continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const handler = (proto as Record<string, Handler>)[method];
        this.get(metatype as Type, handler);
      }
    }
  }

  /** The compiled policy of a handler, or `null` when it has none (cached either way). */
  get(cls: Type, handler: Handler): CompiledPolicy | null {
    let compiled = this.cache.get(handler);
    if (compiled === undefined) {
      compiled = this.compile(cls, handler);
      this.cache.set(handler, compiled);
    }
    return compiled;
  }

  private compile(cls: Type, handler: Handler): CompiledPolicy | null {
    const tool = this.reflector.get(ToolMetadata, handler);
    const decorated: NormalizedPolicy = {
      rateLimit: this.reflector.get(RateLimitMetadata, handler),
      retry: this.reflector.get(RetryMetadata, handler),
      circuitBreaker: this.reflector.get(CircuitBreakerMetadata, handler),
      timeout: this.reflector.get(TimeoutMetadata, handler),
      bulkhead: this.reflector.get(BulkheadMetadata, handler),
      idempotent: this.reflector.get(IdempotentMetadata, handler),
    };
    const hasDecorators = KINDS.some((k) => decorated[k] !== undefined);
    if (!tool && !hasDecorators) return null;
    const where = `${cls.name}.${handler.name}`;
    const name = tool?.name ?? where;
    const safe = !!(tool?.annotations?.idempotentHint || tool?.annotations?.readOnlyHint);
    const override = tool ? this.tools[tool.name] : undefined;
    const spec: NormalizedPolicy = {};
    for (const kind of KINDS) {
      const fromDefaults =
        tool && (kind !== 'retry' || safe || this.defaults.retry?.unsafe)
          ? this.defaults[kind]
          : undefined;
      const value = override?.[kind] ?? decorated[kind] ?? fromDefaults;
      if (value !== undefined) (spec as Record<string, unknown>)[kind] = value;
    }
    if (spec.retry && tool && !safe && !spec.retry.unsafe)
      throw new ResilienceDefinitionError(UNSAFE_RETRY(where, name));
    if (!KINDS.some((k) => spec[k] !== undefined)) return null;
    return new CompiledPolicy(name, spec, this.breakers, this.random);
  }
}
