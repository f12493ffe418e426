import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type ExecutionContext,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  McpExecutionContext,
  McpServers,
  type McpMethodHandler,
  type McpRegistry,
  type ToolEntry,
} from '@rampart/core';
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

/** The policy compiled for a tool added at run time, on its first call. */
interface DynamicPolicy {
  server: string;
  policy: CompiledPolicy | null;
}

/**
 * Resolves the policies of what the servers' registries declare (decorators, module `defaults`
 * and `tools`) once, and answers each call with its compiled policy. Reads the decorators of the
 * methods the registries name (`entry.handler`), not the app's providers; checks every tool when
 * the app boots, so that a bad combination (a retry on a tool that is not idempotent) fails
 * `app.init()`, not a call.
 *
 * A decorated method has one policy, shared by every server it serves (its breakers and bulkhead
 * are the method's). Tools added at run time (`McpServers.get(name).addTool(...)`) have no
 * decorators; they get `tools[name]` and `defaults` of the module options, compiled on their
 * first call, once per server and registration (a tool removed and added again starts with
 * fresh breakers).
 *
 * @example
 * ```ts
 * const policy = policies.forCall(context);
 * const scrape = policies.forTool('web-scrape', 'scrape_url');
 * ```
 */
@Injectable()
export class ResiliencePolicies implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ResiliencePolicies');
  /** Policies of the decorated methods the registries declare, by method. */
  private readonly byMethod = new WeakMap<Handler, CompiledPolicy | null>();
  /** Policies of the tools added at run time, by registry entry. */
  private readonly dynamic = new Map<ToolEntry, DynamicPolicy>();
  private readonly defaults: NormalizedPolicy;
  private readonly tools: Record<string, NormalizedPolicy>;
  private readonly random: () => number;
  private readonly server?: string;
  /** Whether the registries' declarations have been compiled. */
  private loaded = false;
  /** Registry listeners that drop the policies of removed dynamic tools, by server. */
  private readonly watching = new Map<string, () => void>();

  constructor(
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
    private readonly reflector: Reflector,
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
  }

  /**
   * Compiles the policy of every method the servers' registries declare, so that mistakes fail
   * the boot. Runs once the servers have filled their registries (on their module's init).
   */
  onApplicationBootstrap(): void {
    this.load();
  }

  onModuleDestroy(): void {
    for (const stop of this.watching.values()) stop();
    this.watching.clear();
  }

  /**
   * The compiled policy of an MCP call, or `null` when it has none: read off the registry entry
   * the dispatcher resolved for the call (`ctx.entry`), compiled at boot or, for a tool added at
   * run time, on its first call. A context built without an entry (a unit test's) is resolved by
   * the handler the guard or interceptor runs around, or by server and tool name.
   */
  forCall(context: ExecutionContext): CompiledPolicy | null {
    const ctx = McpExecutionContext.getContext(context);
    // The entry the dispatcher resolved for this call: no second look-up of the tool.
    const entry = ctx.entry;
    if (entry) {
      const tool = ctx.method === 'tools/call' ? (entry as ToolEntry) : undefined;
      if (entry.handler.kind === 'method') return this.ofMethod(entry.handler, tool);
      return tool ? this.ofDynamic(ctx.server, tool) : null;
    }
    const handler = context.getHandler();
    const compiled = this.byMethod.get(handler);
    if (compiled !== undefined) return compiled;
    if (ctx.method === 'tools/call') return this.forTool(ctx.server, ctx.target);
    if (this.loaded) return null;
    // A resource, template, prompt or completion called before the app finished booting.
    this.load();
    return this.byMethod.get(handler) ?? null;
  }

  /**
   * The compiled policy of the tool `name` of `server`, or `null` when it has none or there is
   * no such tool.
   */
  forTool(server: string, name: string): CompiledPolicy | null {
    const entry = this.registryOf(server)?.tools.get(name);
    if (!entry) return null;
    return entry.handler.kind === 'method'
      ? this.ofMethod(entry.handler, entry)
      : this.ofDynamic(server, entry);
  }

  /** Compiles what every server's registry declares, tools first. */
  private load(): void {
    this.loaded = true;
    for (const { registry } of this.servers?.all() ?? []) {
      for (const tool of registry.tools.list())
        if (tool.handler.kind === 'method') this.ofMethod(tool.handler, tool);
      for (const entry of [
        ...registry.resources.list(),
        ...registry.templates.list(),
        ...registry.prompts.list(),
        ...registry.completions.list(),
      ])
        if (entry.handler.kind === 'method') this.ofMethod(entry.handler);
    }
  }

  /**
   * The policy of a decorated method, compiled on first sight: as the tool `tool` when it
   * declares one (a method that is both a tool and a resource is seen as a tool first).
   */
  private ofMethod(handler: McpMethodHandler, tool?: ToolEntry): CompiledPolicy | null {
    let compiled = this.byMethod.get(handler.method);
    if (compiled === undefined) {
      compiled = this.compile(handler, tool);
      this.byMethod.set(handler.method, compiled);
    }
    return compiled;
  }

  private compile(handler: McpMethodHandler, tool?: ToolEntry): CompiledPolicy | null {
    const { method } = handler;
    const decorated: NormalizedPolicy = {
      rateLimit: this.reflector.get(RateLimitMetadata, method),
      retry: this.reflector.get(RetryMetadata, method),
      circuitBreaker: this.reflector.get(CircuitBreakerMetadata, method),
      timeout: this.reflector.get(TimeoutMetadata, method),
      bulkhead: this.reflector.get(BulkheadMetadata, method),
      idempotent: this.reflector.get(IdempotentMetadata, method),
    };
    if (!tool && !POLICY_KINDS.some((k) => decorated[k] !== undefined)) return null;
    const where = `${handler.type.name}.${handler.key}`;
    const name = tool?.name ?? where;
    const safe = isSafe(tool?.definition.annotations);
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

  /** The policy of a tool added at run time to `server`, compiled once per registration. */
  private ofDynamic(server: string, entry: ToolEntry): CompiledPolicy | null {
    if (this.server !== undefined && server !== this.server) return null;
    const known = this.dynamic.get(entry);
    if (known) return known.policy;
    this.watch(server);
    const safe = isSafe(entry.definition.annotations);
    const spec = this.merge(this.tools[entry.name], {}, true, safe);
    if (spec.retry && !safe && !spec.retry.unsafe) {
      // No boot to fail for a tool added at run time: never retry it rather than fail its calls.
      this.logger.warn(UNSAFE_DYNAMIC_RETRY(entry.name));
      delete spec.retry;
    }
    const policy = POLICY_KINDS.some((k) => spec[k] !== undefined)
      ? new CompiledPolicy(entry.name, spec, this.breakers, this.random)
      : null;
    this.dynamic.set(entry, { server, policy });
    return policy;
  }

  private registryOf(server: string): McpRegistry | undefined {
    return this.servers?.find(server)?.registry;
  }

  /** Drops the policies (and breakers) of the dynamic tools removed from `server`. */
  private watch(server: string): void {
    if (this.watching.has(server)) return;
    const registry = this.registryOf(server)!;
    const stop = registry.onChange((change) => {
      if (change !== 'tools') return;
      for (const [entry, known] of this.dynamic) {
        if (known.server !== server || registry.tools.get(entry.name) === entry) continue;
        known.policy?.dispose();
        this.dynamic.delete(entry);
      }
    });
    this.watching.set(server, stop);
  }
}

/** Whether a repeated call is harmless, by the tool's annotations. */
function isSafe(annotations?: { idempotentHint?: boolean; readOnlyHint?: boolean }): boolean {
  return !!(annotations?.idempotentHint || annotations?.readOnlyHint);
}
