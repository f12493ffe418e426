import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  MCP_CONTEXT_TYPE,
  McpExecutionContext,
  McpServers,
  type McpCallInterceptor,
  type McpContext,
} from '@rampart/core';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { CacheDefinitionError } from '../errors/cache-definition.error';
import {
  INVALID_CACHE_OPTION,
  NOT_READ_ONLY,
  UNKNOWN_EVICT_TARGET,
} from '../errors/messages.constant';
import { CacheableMetadata, CacheEvictMetadata } from './cacheable.decorator';
import type {
  CacheEvictOptions,
  CacheScope,
  CacheableOptions,
  ResultCacheModuleOptions,
} from './cache-options.interface';
import { ResultCache } from './result-cache.service';
import { RESULT_CACHE_OPTIONS } from './cache.constants';

// Nest hands handlers over as `Function`.
// oxlint-disable-next-line typescript/no-unsafe-function-type
type Handler = Function;

type Cached = CacheableOptions & { scope: CacheScope };
type Evict = Omit<CacheEvictOptions, 'tools'> & { tools: readonly string[] };

const readCacheable = (reflector: Reflector, handler: Handler): Cached | undefined =>
  reflector.get(CacheableMetadata, handler);
const readEvict = (reflector: Reflector, handler: Handler): Evict | undefined =>
  reflector.get(CacheEvictMetadata, handler);

/** What the interceptor does for one method. */
interface Plan {
  cached?: Cached;
  evict?: Evict;
}

/** Results of these methods are cached; `@Cacheable()` elsewhere is left alone. */
const CACHED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read']);

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const isErrorResult = (v: unknown) =>
  !!v && typeof v === 'object' && (v as { isError?: unknown }).isError === true;

/**
 * Carries out `@Cacheable()` and `@CacheEvict()` around tool calls and resource reads, through
 * the {@link ResultCache}. Registered as a global interceptor by `ResultCacheModule` unless
 * `globalInterceptor: false`; passes through every non-MCP call and every method without these
 * decorators. When the app boots it refuses a cached tool that is not annotated read-only (unless
 * `allowNonReadOnly`) and an eviction of a tool its server does not have.
 *
 * On 2026-07-28 a cached resource read carries `ttlMs` (what is left of the entry's time) and
 * `cacheScope` (the entry's scope), the spec's cache hints; tool results have no such fields.
 */
@Injectable()
export class ResultCacheInterceptor implements McpCallInterceptor, OnApplicationBootstrap {
  private readonly plans = new WeakMap<Handler, Plan | null>();
  /** `@Cacheable()` of every cached tool, by `server\0tool`, for exact evictions. */
  private readonly targets = new Map<string, Cached>();
  private readonly enabled: boolean;
  private readonly overrides: NonNullable<ResultCacheModuleOptions['tools']>;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ResultCache) private readonly cache: ResultCache,
    @Inject(RESULT_CACHE_OPTIONS) options: ResultCacheModuleOptions,
    @Optional() private readonly servers?: McpServers,
  ) {
    this.enabled = options?.enabled !== false;
    this.overrides = options?.tools ?? {};
    for (const [name, override] of Object.entries(this.overrides)) {
      if (override === false) continue;
      const where = `tools["${name}"]`;
      if (!override || typeof override !== 'object')
        throw new CacheDefinitionError(
          INVALID_CACHE_OPTION(where, 'false, or an object with ttlMs and/or scope'),
        );
      if (
        override.ttlMs !== undefined &&
        (!Number.isSafeInteger(override.ttlMs) || override.ttlMs <= 0)
      )
        throw new CacheDefinitionError(
          INVALID_CACHE_OPTION(
            `${where}.ttlMs`,
            `a positive integer of milliseconds (false turns the tool's cache off), got ${String(override.ttlMs)}`,
          ),
        );
      if (
        override.scope !== undefined &&
        override.scope !== 'public' &&
        override.scope !== 'private'
      )
        throw new CacheDefinitionError(
          INVALID_CACHE_OPTION(
            `${where}.scope`,
            `'public' or 'private', got ${JSON.stringify(override.scope)}`,
          ),
        );
    }
  }

  /** The decorator's options of a tool, with the module's `tools[name]` over them. */
  private withOverride(name: string, cached: Cached | undefined): Cached | undefined {
    const override = this.overrides[name];
    if (!cached || override === undefined) return cached;
    return override === false ? undefined : { ...cached, ...stripUndefined(override) };
  }

  /** Checks every cached and evicting tool of every server, so that mistakes fail the boot. */
  onApplicationBootstrap(): void {
    for (const { registry } of this.servers?.all() ?? []) {
      const server = registry.server;
      const evicting: { where: string; tools: readonly string[] }[] = [];
      for (const tool of registry.tools.list()) {
        if (tool.handler.kind !== 'method') continue;
        const where = `${tool.handler.type.name}.${tool.handler.key}`;
        const cached = this.withOverride(
          tool.name,
          readCacheable(this.reflector, tool.handler.method),
        );
        const evict = readEvict(this.reflector, tool.handler.method);
        // What the calls of this method do (a method that is several tools has one plan).
        this.plans.set(tool.handler.method, cached || evict ? { cached, evict } : null);
        if (cached) {
          if (tool.definition.annotations?.readOnlyHint !== true && !cached.allowNonReadOnly)
            throw new CacheDefinitionError(NOT_READ_ONLY(where, tool.name));
          this.targets.set(`${server}\0${tool.name}`, cached);
        }
        if (evict) evicting.push({ where, tools: evict.tools });
      }
      for (const { where, tools } of evicting)
        for (const name of tools)
          if (!registry.tools.get(name))
            throw new CacheDefinitionError(UNKNOWN_EVICT_TARGET(where, server, name));
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const plan = this.planOf(context);
    if (!plan) return next.handle();
    return defer(() =>
      this.run(plan, context, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }

  interceptCall(context: ExecutionContext, next: () => Promise<unknown>): Promise<unknown> {
    const plan = this.planOf(context);
    return plan ? this.run(plan, context, next) : next();
  }

  private planOf(context: ExecutionContext): Plan | null {
    if (!this.enabled || context.getType<string>() !== MCP_CONTEXT_TYPE) return null;
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (plan === undefined) {
      const cached = readCacheable(this.reflector, handler);
      const evict = readEvict(this.reflector, handler);
      plan = cached || evict ? { cached, evict } : null;
      this.plans.set(handler, plan);
    }
    return plan;
  }

  private async run(
    plan: Plan,
    context: ExecutionContext,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    const ctx = McpExecutionContext.getContext(context);
    const args = McpExecutionContext.getArgs(context) ?? {};
    const value = plan.cached ? await this.cached(plan.cached, ctx, args, next) : await next();
    if (plan.evict && !isErrorResult(value)) await this.evict(plan.evict, ctx, args);
    return value;
  }

  private async cached(
    options: Cached,
    ctx: McpContext,
    args: Record<string, unknown>,
    next: () => Promise<unknown>,
  ): Promise<unknown> {
    if (!CACHED_METHODS.has(ctx.method)) return next();
    const subject = ctx.identity?.subject;
    // A private entry belongs to a caller: without one there is nobody to keep it for.
    if (options.scope === 'private' && subject === undefined) return next();
    const isTool = ctx.method === 'tools/call';
    const keyArgs = options.key ? options.key(args) : isTool ? args : null;
    const { value, expiresAt } = await this.cache.getOrCompute(
      {
        server: ctx.server,
        name: ctx.target,
        scope: options.scope,
        args: keyArgs,
        subject,
        tenant: ctx.tenant,
      },
      options.ttlMs,
      next,
      (v) => !isErrorResult(v),
    );
    return isTool || ctx.era !== 'modern' ? value : withHint(value, ctx, options.scope, expiresAt);
  }

  private async evict(
    options: Evict,
    ctx: McpContext,
    args: Record<string, unknown>,
  ): Promise<void> {
    for (const name of options.tools) {
      if (!options.args) {
        await this.cache.evict({ server: ctx.server, name });
        continue;
      }
      const target = this.targets.get(`${ctx.server}\0${name}`);
      const picked = options.args(args);
      await this.cache.evict({
        server: ctx.server,
        name,
        scope: target?.scope ?? 'public',
        args: target?.key ? target.key(picked) : picked,
        subject: ctx.identity?.subject,
        tenant: ctx.tenant,
      });
    }
  }
}

/**
 * A resource read's value with the 2026-07-28 cache hints: `ttlMs` (what is left of the entry)
 * and `cacheScope`. A value that is not a `ReadResourceResult` yet is mapped here as the
 * dispatcher would (text, or JSON); bytes and blocks are left to the dispatcher, without hints.
 */
function withHint(
  value: unknown,
  ctx: McpContext,
  scope: 'public' | 'private',
  expiresAt: number,
): unknown {
  if (expiresAt === 0) return value;
  const hint = { ttlMs: Math.max(0, Math.floor(expiresAt - Date.now())), cacheScope: scope };
  if (
    value &&
    typeof value === 'object' &&
    Array.isArray((value as { contents?: unknown }).contents)
  )
    return { ...value, ...hint };
  if (typeof value === 'string') {
    const mimeType = (ctx.entry as { definition?: { mimeType?: string } } | undefined)?.definition
      ?.mimeType;
    return { contents: [{ uri: ctx.target, ...(mimeType && { mimeType }), text: value }], ...hint };
  }
  return value;
}
