import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type ExecutionContext,
  type OnModuleDestroy,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { McpExecutionContext, McpServers, ToolMetadata } from '@rampart/core';
import { BulkheadMetadata } from '../decorators/bulkhead.decorator';
import { CircuitBreakerMetadata } from '../decorators/circuit-breaker.decorator';
import { IdempotentMetadata } from '../decorators/idempotent.decorator';
import { RateLimitMetadata } from '../decorators/rate-limit.decorator';
import { RetryMetadata } from '../decorators/retry.decorator';
import { TimeoutMetadata } from '../decorators/timeout.decorator';
import { ResilienceDefinitionError } from '../errors/resilience-definition.error';
import { UNSAFE_DYNAMIC_RETRY, UNSAFE_RETRY } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { BreakerRegistry } from './breaker-registry.service';
import { CompiledPolicy } from './compiled-policy';
import {
  POLICY_KINDS,
  validatePolicy,
  validateRateLimits,
  type NormalizedPolicy,
} from './policy-validation';

// Nest hands handlers over as `Function`.
// oxlint-disable-next-line typescript/no-unsafe-function-type
type Handler = Function;

/**
 * Cached for a handler that has no policy of its own and no `@Tool()`: the shared `run` method of
 * the tools added at run time (`McpServerHost.addTool`), whose policy depends on the tool called.
 */
const DYNAMIC = Symbol('dynamic');

/** The policy compiled for one registration of a dynamic tool. */
interface DynamicPolicy {
  server: string;
  name: string;
  /** The registry's definition it was compiled from; a tool added again gets a new one. */
  definition: object;
  policy: CompiledPolicy | null;
}

/**
 * Resolves each handler's policies once (decorators, module `defaults` and `tools`) and caches
 * the compiled result by handler. Checks every tool at boot, so that a bad combination (a retry
 * on a tool that is not idempotent) fails `app.init()`, not a call.
 *
 * Tools added at run time (`McpServers.get(name).addTool(...)`) have no decorators; they get
 * `tools[name]` and `defaults` of the module options, compiled on their first call (per server
 * and registration: a tool removed and added again starts with fresh breakers).
 *
 * @example
 * ```ts
 * const policy = policies.forCall(context);
 * ```
 */
@Injectable()
export class ResiliencePolicies implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ResiliencePolicies');
  private readonly cache = new WeakMap<Handler, CompiledPolicy | null | typeof DYNAMIC>();
  private readonly defaults: NormalizedPolicy;
  private readonly tools: Record<string, NormalizedPolicy>;
  private readonly random: () => number;
  private readonly server?: string;
  /** Whether a dynamic tool can have a policy at all (module `defaults` or `tools` given). */
  private readonly configured: boolean;
  /** Dynamic tools' policies by `server\0name`. */
  private readonly dynamic = new Map<string, DynamicPolicy>();
  /** Registry listeners that drop the policies of removed dynamic tools, by server. */
  private readonly watching = new Map<string, () => void>();

  constructor(
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly breakers: BreakerRegistry,
    @Optional() private readonly servers?: McpServers,
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
      lf?.retryAfterMs !== undefined &&
      !(Number.isFinite(lf.retryAfterMs) && lf.retryAfterMs >= 0)
    )
      throw new ResilienceDefinitionError(
        `Invalid ResilienceModule option loadShedding.retryAfterMs: a number of milliseconds >= 0, got ${String(lf.retryAfterMs)}`,
      );
    // `storage` is validated by ResilienceRedis, before it creates a client.
    if (options.random !== undefined && typeof options.random !== 'function')
      throw new ResilienceDefinitionError(
        'Invalid ResilienceModule option random: a function returning numbers in [0, 1)',
      );
    if (
      options.onRedisDown !== undefined &&
      !['insurance', 'fail-closed'].includes(options.onRedisDown)
    )
      throw new ResilienceDefinitionError(
        `Invalid ResilienceModule option onRedisDown: 'insurance' or 'fail-closed', got ${String(options.onRedisDown)}`,
      );
    this.random = options.random ?? Math.random;
    this.server = options.server;
    this.configured = Object.keys(this.defaults).length > 0 || Object.keys(this.tools).length > 0;
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

  onModuleDestroy(): void {
    for (const stop of this.watching.values()) stop();
    this.watching.clear();
  }

  /**
   * The compiled policy of an MCP call, or `null` when it has none: its handler's, or for a tool
   * added at run time, that tool's.
   */
  forCall(context: ExecutionContext): CompiledPolicy | null {
    const compiled = this.resolve(context.getClass() as Type, context.getHandler());
    if (compiled !== DYNAMIC) return compiled;
    const ctx = McpExecutionContext.getContext(context);
    return ctx.method === 'tools/call' ? this.dynamicTool(ctx.server, ctx.target) : null;
  }

  /**
   * The compiled policy of a decorated handler, or `null` when it has none (cached either way).
   * Tools added at run time share one handler: see {@link forCall}.
   */
  get(cls: Type, handler: Handler): CompiledPolicy | null {
    const compiled = this.resolve(cls, handler);
    return compiled === DYNAMIC ? null : compiled;
  }

  private resolve(cls: Type, handler: Handler): CompiledPolicy | null | typeof DYNAMIC {
    let compiled = this.cache.get(handler);
    if (compiled === undefined) {
      compiled = this.compile(cls, handler);
      this.cache.set(handler, compiled);
    }
    return compiled;
  }

  private compile(cls: Type, handler: Handler): CompiledPolicy | null | typeof DYNAMIC {
    const tool = this.reflector.get(ToolMetadata, handler);
    const decorated: NormalizedPolicy = {
      rateLimit: this.reflector.get(RateLimitMetadata, handler),
      retry: this.reflector.get(RetryMetadata, handler),
      circuitBreaker: this.reflector.get(CircuitBreakerMetadata, handler),
      timeout: this.reflector.get(TimeoutMetadata, handler),
      bulkhead: this.reflector.get(BulkheadMetadata, handler),
      idempotent: this.reflector.get(IdempotentMetadata, handler),
    };
    const hasDecorators = POLICY_KINDS.some((k) => decorated[k] !== undefined);
    if (!tool && !hasDecorators) return this.configured ? DYNAMIC : null;
    const where = `${cls.name}.${handler.name}`;
    const name = tool?.name ?? where;
    const safe = isSafe(tool?.annotations);
    const spec = this.merge(tool ? this.tools[tool.name] : undefined, decorated, !!tool, safe);
    if (spec.retry && tool && !safe && !spec.retry.unsafe)
      throw new ResilienceDefinitionError(UNSAFE_RETRY(where, name));
    if (!POLICY_KINDS.some((k) => spec[k] !== undefined)) return null;
    return new CompiledPolicy(name, spec, this.breakers, this.random);
  }

  /**
   * Per kind: `tools[name]` › the decorator › `defaults` (for tools only; a default retry only
   * for tools annotated idempotent or read-only, unless it says `unsafe`).
   */
  private merge(
    override: NormalizedPolicy | undefined,
    decorated: NormalizedPolicy,
    isTool: boolean,
    safe: boolean,
  ): NormalizedPolicy {
    const spec: NormalizedPolicy = {};
    for (const kind of POLICY_KINDS) {
      const fromDefaults =
        isTool && (kind !== 'retry' || safe || this.defaults.retry?.unsafe)
          ? this.defaults[kind]
          : undefined;
      const value = override?.[kind] ?? decorated[kind] ?? fromDefaults;
      if (value !== undefined) (spec as Record<string, unknown>)[kind] = value;
    }
    return spec;
  }

  /** The policy of the dynamic tool `name` of `server`, compiled once per registration. */
  private dynamicTool(server: string, name: string): CompiledPolicy | null {
    if (this.server !== undefined && server !== this.server) return null;
    const definition = this.registryOf(server)?.tools.get(name)?.definition;
    if (!definition) return null;
    const id = `${server}\0${name}`;
    const known = this.dynamic.get(id);
    if (known?.definition === definition) return known.policy;
    known?.policy?.dispose();
    this.watch(server);
    const safe = isSafe(definition.annotations);
    const spec = this.merge(this.tools[name], {}, true, safe);
    if (spec.retry && !safe && !spec.retry.unsafe) {
      // No boot to fail for a tool added at run time: never retry it rather than fail its calls.
      this.logger.warn(UNSAFE_DYNAMIC_RETRY(name));
      delete spec.retry;
    }
    const policy = POLICY_KINDS.some((k) => spec[k] !== undefined)
      ? new CompiledPolicy(name, spec, this.breakers, this.random)
      : null;
    this.dynamic.set(id, { server, name, definition, policy });
    return policy;
  }

  private registryOf(server: string) {
    try {
      return this.servers?.get(server).registry;
    } catch {
      return undefined; // not a server of this app (a hand-built context)
    }
  }

  /** Drops the policies (and breakers) of the dynamic tools removed from `server`. */
  private watch(server: string): void {
    if (this.watching.has(server)) return;
    const registry = this.registryOf(server)!;
    const stop = registry.onChange((change) => {
      if (change !== 'tools') return;
      for (const [id, known] of this.dynamic) {
        if (known.server !== server) continue;
        if (registry.tools.get(known.name)?.definition === known.definition) continue;
        known.policy?.dispose();
        this.dynamic.delete(id);
      }
    });
    this.watching.set(server, stop);
  }
}

/** Whether a repeated call is harmless, by the tool's annotations. */
function isSafe(annotations?: { idempotentHint?: boolean; readOnlyHint?: boolean }): boolean {
  return !!(annotations?.idempotentHint || annotations?.readOnlyHint);
}
