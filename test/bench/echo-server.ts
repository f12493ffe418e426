/**
 * Rampart target: a Nest app built on Rampart's public API only, with the same
 * surface as the other targets: an `echo` tool declared as a provider method
 * with a class-validator DTO, plus TOOLS extra tools added at run time through
 * `McpServers`. ADAPTER=express|fastify picks the HTTP adapter; Nest's logger
 * is off so that only the stack under test logs. Listens on 127.0.0.1:$PORT,
 * path /mcp.
 *
 * STACK picks what runs around `echo`:
 * - `bare` (default): nothing.
 * - `resilience`: `@RateLimit` (a limit the load never reaches) + `@Timeout` +
 *   `@Retry` + `@CircuitBreaker`, on STORAGE=memory (default) or redis
 *   (REDIS_URL, default redis://127.0.0.1:6379).
 * - `observability`: metrics for every tool, tracing through the OpenTelemetry
 *   API with no SDK (no exporter), and one pino line per call at info, written
 *   as the module writes by default (the lines of an event-loop turn in one synchronous write), to
 *   /dev/null (LOG_DEST overrides); LOG_MODE=async writes through sonic-boom's asynchronous mode
 *   instead, in 4 KiB batches. PARTS=metrics,tracing,logging
 *   (the default) picks which of the three run.
 * - `full`: both, as a production server runs: the `resilience` stack's decorators on `echo`
 *   (STORAGE as there) and the `observability` stack's metrics, tracing and logging at info
 *   (LOG_MODE, PARTS as there).
 * - `secure`: `full` plus `SecurityModule` as a production server configures it: bearer JWTs
 *   verified against the issuer's public key (a static JWK from BENCH_JWT_PUBLIC_JWK, which the
 *   runner generates with the token it sends), `echo` needing scope `echo:call` and tagged
 *   `demo`, a small Cedar policy set (a default permit and three forbids: by tag for a tenant,
 *   destructive tools for non-admins, an argument read behind a `has` guard) and the security
 *   headers on (the default).
 * - `cached`: `echo` annotated read-only with `@Cacheable({ scope: 'public' })` behind
 *   `ResultCacheModule` in memory: every call after the first is a cache hit.
 *
 * DISCOVERY=progressive serves the tools in progressive discovery mode: `tools/list` answers the
 * three meta-tools whatever TOOLS is, and `search_tools` searches them.
 *
 * Run alone (any load tool can then be pointed at it):
 *   PORT=3000 ADAPTER=fastify STACK=resilience npm run start:bench-echo
 */
import 'reflect-metadata';
import {
  applyDecorators,
  Injectable,
  Module,
  type DynamicModule,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Args, McpModule, McpServers, Tool, type JsonSchemaObject } from '@rampart/core';
import { ObservabilityModule, TurnBatchedDestination } from '@rampart/observability';
import { CircuitBreaker, RateLimit, ResilienceModule, Retry, Timeout } from '@rampart/resilience';
import { Cacheable, ResultCacheModule } from '@rampart/resources';
import { Scopes, SecurityModule, Tags } from '@rampart/security';
import { IsString } from 'class-validator';
import type { JWK } from 'jose';
import pino from 'pino';
import {
  BENCH_AUTH,
  BENCH_HOST,
  DEFAULT_TOOLS,
  ECHO_DESCRIPTION,
  extraTools,
  intFromEnv,
  MCP_PATH,
  portFromEnv,
} from './shared';

/** Where the observability stack's call lines go. */
const LOG_DEST = process.env.LOG_DEST ?? '/dev/null';

/** Name of the Rampart server, sent as `serverInfo.name`. */
const SERVER_NAME = 'bench-rampart';

/** Extra tools registered next to `echo`. */
const TOOL_COUNT = intFromEnv('TOOLS', DEFAULT_TOOLS);

/** Arguments of `echo` (and of every extra tool). */
export class EchoInput {
  @IsString()
  text!: string;
}

/** The extra tools' input schema: what Rampart generates from the DTO above, written by hand. */
const TEXT_INPUT_SCHEMA: JsonSchemaObject = {
  type: 'object',
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  properties: { text: { type: 'string' } },
  required: ['text'],
};

@Injectable()
export class EchoTools {
  @Tool({ name: 'echo', description: ECHO_DESCRIPTION })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

/** The resilience stack's policies: rate limit (never reached), timeout, retry, circuit breaker. */
const Resilient = (): MethodDecorator =>
  applyDecorators(
    RateLimit({ points: 1_000_000_000, perMs: 60_000 }),
    Timeout({ attemptMs: 5_000 }),
    Retry({ attempts: 3, backoff: 'exponential' }),
    CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 }),
  );

/** `echo` with the full resilience stack: rate limit, timeout, retry and circuit breaker. */
@Injectable()
export class ResilientEchoTools {
  @Tool({ name: 'echo', description: ECHO_DESCRIPTION, annotations: { readOnlyHint: true } })
  @Resilient()
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

/** `echo` served from the result cache: the same arguments every call, so every call hits. */
@Injectable()
export class CachedEchoTools {
  @Tool({ name: 'echo', description: ECHO_DESCRIPTION, annotations: { readOnlyHint: true } })
  @Cacheable({ ttlMs: 3_600_000, scope: 'public' })
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

/** `echo` as the `secure` stack serves it: the resilience policies, a scope and a tag. */
@Injectable()
export class SecureEchoTools {
  @Tool({ name: 'echo', description: ECHO_DESCRIPTION, annotations: { readOnlyHint: true } })
  @Scopes(BENCH_AUTH.scope)
  @Tags('demo')
  @Resilient()
  echo(@Args() input: EchoInput): string {
    return input.text;
  }
}

/**
 * The `secure` stack's policies, as a small production set reads: everything not forbidden is
 * permitted; a trial tenant gets no beta tools; tools declared destructive (risk `high` or more:
 * `destructiveHint: true`, or `@Risk()`) need the admin role; `echo` never echoes a private key
 * (an argument, read behind `has` guards so that lists, which have no arguments, still show it).
 * None of the forbids applies to the benchmark's token and call: every call is evaluated
 * against all four and permitted.
 */
const POLICIES = `
@id("default-permit")
permit (principal, action, resource);

@id("no-beta-tools-for-trial-tenants")
forbid (principal, action, resource)
when { resource.tags.contains("beta") && principal has tenant && principal.tenant == "trial" };

@id("destructive-tools-need-admin")
forbid (principal, action == Rampart::Action::"tools/call", resource)
when { resource.risk == "high" || resource.risk == "critical" }
unless { principal in Rampart::Role::"admin" };

@id("echo-no-private-keys")
forbid (principal, action == Rampart::Action::"tools/call", resource == Rampart::Tool::"echo")
when {
  context has arguments && context.arguments has text &&
  context.arguments.text like "*PRIVATE KEY*"
};
`;

/**
 * The `secure` stack's module: bearer JWTs against the issuer's public key, handed over by the
 * runner as a JWK (a static key set: what a cached JWKS costs per call once it is fetched), and
 * the policies above.
 */
function securityModule(): DynamicModule {
  const jwk = process.env[BENCH_AUTH.publicJwkEnv];
  if (!jwk)
    throw new Error(
      `STACK=secure needs ${BENCH_AUTH.publicJwkEnv}: the issuer's public key as a JWK (JSON)`,
    );
  const parts = new Set((process.env.SECURE_PARTS ?? 'headers,policy').split(','));
  return SecurityModule.forRoot({
    resource: BENCH_AUTH.resource,
    jwt: { issuer: BENCH_AUTH.issuer, keys: [JSON.parse(jwk) as JWK] },
    ...(parts.has('policy') && { policy: { policies: POLICIES } }),
    http: { headers: parts.has('headers') },
  });
}

const STACKS = ['bare', 'resilience', 'observability', 'full', 'secure', 'cached'] as const;
type Stack = (typeof STACKS)[number];

function fromEnv<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name] ?? fallback;
  if (!allowed.includes(value as T))
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** The resilience stack's module: rate limits on STORAGE=memory (default) or redis. */
function resilienceModule(): DynamicModule {
  const storage = fromEnv('STORAGE', ['memory', 'redis'] as const, 'memory');
  return ResilienceModule.forRoot({
    storage:
      storage === 'redis' ? { redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : 'memory',
  });
}

/** The observability stack's module: the PARTS that run (metrics, tracing, logging at info). */
function observabilityModule(): DynamicModule {
  const parts = new Set((process.env.PARTS ?? 'metrics,tracing,logging').split(','));
  return ObservabilityModule.forRoot({
    metrics: parts.has('metrics') && { allTools: true },
    tracing: parts.has('tracing'),
    logging: parts.has('logging') && {
      level: 'info',
      // The module's default way of writing (see createCallLogger), to /dev/null rather
      // than to the runner's pipe; LOG_MODE=async: sonic-boom's asynchronous batches.
      destination:
        process.env.LOG_MODE === 'async'
          ? pino.destination({ dest: LOG_DEST, sync: false, minLength: 4096 })
          : new TurnBatchedDestination(pino.destination({ dest: LOG_DEST, sync: true })),
    },
  });
}

/** The modules and the `echo` provider of a stack. */
function stack(name: Stack): { imports: DynamicModule[]; tools: Type } {
  switch (name) {
    case 'bare':
      return { imports: [], tools: EchoTools };
    case 'resilience':
      return { imports: [resilienceModule()], tools: ResilientEchoTools };
    case 'observability':
      return { imports: [observabilityModule()], tools: EchoTools };
    case 'full':
      return { imports: [resilienceModule(), observabilityModule()], tools: ResilientEchoTools };
    case 'cached':
      return { imports: [ResultCacheModule.forRoot()], tools: CachedEchoTools };
    case 'secure':
      return {
        imports: [resilienceModule(), observabilityModule(), securityModule()],
        tools: SecureEchoTools,
      };
  }
}

@Module({})
export class AppModule {
  static forStack(name: Stack): DynamicModule {
    const { imports, tools } = stack(name);
    return {
      module: AppModule,
      imports: [
        McpModule.forRoot({
          name: SERVER_NAME,
          version: '1.0.0',
          http: { path: MCP_PATH },
          // One page holds every tool, as in the raw and SDK targets, which do not paginate.
          pageSize: TOOL_COUNT + 1,
          ...(process.env.DISCOVERY === 'progressive' && {
            discovery: { mode: 'progressive' as const },
          }),
        }),
        ...imports,
      ],
      providers: [tools],
    };
  }
}

type Adapter = 'express' | 'fastify';

function adapterFromEnv(): Adapter {
  const adapter = process.env.ADAPTER ?? 'fastify';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new Error(`ADAPTER must be "express" or "fastify", got "${adapter}"`);
  }
  return adapter;
}

async function createApp(adapter: Adapter): Promise<INestApplication> {
  const module = AppModule.forStack(fromEnv('STACK', STACKS, 'bare'));
  return adapter === 'fastify'
    ? NestFactory.create(module, new FastifyAdapter(), { logger: false })
    : NestFactory.create(module, { logger: false });
}

async function bootstrap(): Promise<void> {
  const port = portFromEnv();
  const adapter = adapterFromEnv();
  const app = await createApp(adapter);
  app.enableShutdownHooks();
  await app.init();
  const server = app.get(McpServers).get(SERVER_NAME);
  for (const tool of extraTools(TOOL_COUNT)) {
    server.addTool({
      name: tool.name,
      description: tool.description,
      input: TEXT_INPUT_SCHEMA,
      handler: ({ text }: EchoInput) => text,
    });
  }
  await app.listen(port, BENCH_HOST);
  console.log(`[echo-server] ${adapter} listening on http://${BENCH_HOST}:${port}${MCP_PATH}`);
}

bootstrap().catch((error: unknown) => {
  console.error('[echo-server] failed to start:', error);
  process.exit(1);
});
