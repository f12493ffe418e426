import {
  Module,
  RequestMethod,
  type CanActivate,
  type DynamicModule,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import { McpServers } from '@rampart/core';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type {
  LoggingOptions,
  MetricsOptions,
  ObservabilityModuleOptions,
  ObservabilityParts,
  TracingOptions,
} from './interfaces/observability-module-options.interface';
import { createCallLogger } from './logging/call-logger.factory';
import { CallLogger } from './logging/call-logger.service';
import { DEFAULT_LOG_REDACT_FIELDS, redactQuery } from './logging/log-redaction';
import { McpMetrics } from './metrics/mcp-metrics.service';
import { createMetricsController } from './metrics/metrics.controller';
import type { EndpointGuard, EndpointsOptions } from './endpoints/endpoints-options.interface';
import { OBSERVABILITY_ENDPOINTS, type EndpointPart } from './endpoints/observability-endpoints';
import { TrackedTools } from './metrics/tracked-tools';
import {
  DEFAULT_METRICS_PATH,
  OBSERVABILITY_CALL_LOGGER,
  OBSERVABILITY_REDACTOR,
  OBSERVABILITY_REGISTRY,
} from './observability.constants';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OBSERVABILITY_MODULE_OPTIONS,
  OPTIONS_TYPE,
} from './observability.module-definition';
import { CallRecorder } from './recording/call-recorder';
import { Redactor } from './redaction/redactor';
import { McpTracing } from './tracing/mcp-tracing.service';
import { auditProviders } from './audit/audit.providers';
import type { AuditOptions } from './audit/audit-options.interface';
import { AuditSink } from './audit/audit-sink.interface';
import { AuditTrail } from './audit/audit-trail.service';
import { healthParts } from './health/health.parts';
import type { HealthOptions } from './health/health-options.interface';
import { ReadinessState } from './health/readiness.state';
import { metricsResourceProviders } from './resource/metrics-resource.providers';
import { MetricsResource } from './resource/metrics-resource.service';
import type { MetricsResourceOptions } from './resource/metrics-resource-options.interface';
import { sloParts } from './slo/slo.parts';
import type { SloOptions } from './slo/slo-options.interface';
import { SloTracker } from './slo/slo.tracker';

/** The options of one part, or `undefined` when the part is off. */
const partOptions = <T extends object>(value: T | boolean | undefined): T | undefined =>
  value === true ? ({} as T) : value ? value : undefined;

/** A part's options for its provider factory: the object, `true` for defaults, or `undefined` when off. */
const enabled = <T extends object>(value: T | boolean | undefined): T | true | undefined =>
  value === true ? true : value ? value : undefined;

/** Parts, as both entry points decide them before assembling the module. */
interface Assembly {
  metrics: boolean;
  metricsPath: string | false;
  tracing: boolean;
  logging: boolean;
  nestLogger: boolean;
  audit?: AuditOptions | true;
  health?: HealthOptions | true;
  slo?: SloOptions | true;
  metricsResource?: MetricsResourceOptions | true;
  endpoints: EndpointsOptions;
}

/**
 * Holds the module options (and the pino logger) once, so that nestjs-pino's `LoggerModule` and
 * the `ObservabilityModule` share them without the options factory running twice.
 */
@Module({})
export class ObservabilityHostModule {}

/**
 * Observability for Rampart servers: Prometheus metrics and `/metrics`, OpenTelemetry spans,
 * one structured pino line per call with redacted arguments; every part off unless turned on.
 * One request hook ({@link CallRecorder}) feeds them all.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({ name: 'web-scrape', version: '1.0.0' }),
 *     ObservabilityModule.forRoot({ metrics: true, tracing: true, logging: { arguments: true } }),
 *   ],
 * })
 * export class AppModule {}
 *
 * // Options from config: the parts are chosen up front, the factory configures them.
 * ObservabilityModule.forRootAsync({
 *   parts: { metrics: true, tracing: true, logging: true },
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ metrics: { allTools: true }, tracing: true, logging: { level: config.get('LOG_LEVEL') } }),
 * });
 * ```
 */
@Module({})
export class ObservabilityModule extends ConfigurableModuleClass {
  /** Assembles the parts turned on in `options`. */
  static forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    const metrics = partOptions(options.metrics);
    const logging = partOptions(options.logging);
    return assemble(super.forRoot(options), {
      metrics: !!metrics,
      metricsPath: metrics?.path ?? DEFAULT_METRICS_PATH,
      tracing: !!partOptions(options.tracing),
      logging: !!logging,
      nestLogger: logging?.nestLogger !== false,
      audit: enabled(options.audit),
      health: enabled(options.health),
      slo: enabled(options.slo),
      metricsResource: enabled(options.metricsResource),
      endpoints: options.endpoints ?? {},
    });
  }

  /**
   * Assembles the parts named in `parts` (by default metrics, tracing and logging); the factory's
   * options configure them, and may turn an assembled part off.
   */
  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    const parts: ObservabilityParts = options.parts ?? {};
    const metrics = parts.metrics ?? true;
    const logging = parts.logging ?? true;
    return assemble(super.forRootAsync(options), {
      metrics: !!metrics,
      metricsPath:
        typeof metrics === 'object' ? (metrics.path ?? DEFAULT_METRICS_PATH) : DEFAULT_METRICS_PATH,
      tracing: parts.tracing ?? true,
      logging: !!logging,
      nestLogger: typeof logging === 'object' ? logging.nestLogger !== false : true,
      audit: enabled(parts.audit),
      health: enabled(parts.health),
      slo: enabled(parts.slo),
      metricsResource: enabled(parts.metricsResource),
      endpoints: parts.endpoints ?? {},
    });
  }
}

function assemble(base: DynamicModule, parts: Assembly): DynamicModule {
  const host: DynamicModule = {
    module: ObservabilityHostModule,
    imports: base.imports ?? [],
    providers: [
      ...(base.providers ?? []),
      {
        provide: OBSERVABILITY_REDACTOR,
        inject: [OBSERVABILITY_MODULE_OPTIONS],
        useFactory: (options: ObservabilityModuleOptions) => new Redactor(options.redaction),
      },
      {
        provide: OBSERVABILITY_REGISTRY,
        inject: [OBSERVABILITY_MODULE_OPTIONS],
        useFactory: (options: ObservabilityModuleOptions) => {
          const registry = new Registry();
          const metrics = partOptions(options.metrics);
          if (metrics?.defaultMetrics)
            collectDefaultMetrics({ register: registry, prefix: metrics.defaultMetricsPrefix });
          return registry;
        },
      },
      ...(parts.logging
        ? [
            {
              provide: OBSERVABILITY_CALL_LOGGER,
              inject: [OBSERVABILITY_MODULE_OPTIONS, ModulesContainer],
              useFactory: (options: ObservabilityModuleOptions, modules: ModulesContainer) =>
                createCallLogger(
                  partOptions<LoggingOptions>(options.logging) ?? { level: 'silent' },
                  modules,
                ),
            },
          ]
        : []),
    ],
    exports: [
      OBSERVABILITY_MODULE_OPTIONS,
      OBSERVABILITY_REDACTOR,
      OBSERVABILITY_REGISTRY,
      ...(parts.logging ? [OBSERVABILITY_CALL_LOGGER] : []),
    ],
  };

  const providers: Provider[] = [CallRecorder];
  const controllers: Type[] = [];
  const imports: DynamicModule[] = [host];
  const exports: (string | symbol | Type | DynamicModule)[] = [host, CallRecorder];
  const endpoints: EndpointPart[] = [];

  if (parts.metrics) {
    providers.push(TrackedTools, {
      provide: McpMetrics,
      inject: [
        OBSERVABILITY_MODULE_OPTIONS,
        OBSERVABILITY_REGISTRY,
        TrackedTools,
        McpServers,
        ModuleRef,
      ],
      useFactory: (
        options: ObservabilityModuleOptions,
        registry: Registry,
        tracked: TrackedTools,
        servers: McpServers,
        moduleRef: ModuleRef,
      ) => {
        const metrics = partOptions<MetricsOptions>(options.metrics);
        return metrics ? new McpMetrics(registry, metrics, tracked, servers, moduleRef) : null;
      },
    });
    exports.push(McpMetrics);
    const path = parts.metricsPath;
    if (path !== false)
      endpoints.push({
        controller: (guards) => createMetricsController(path, guards),
        tokens: [OBSERVABILITY_REGISTRY],
      });
  }

  if (parts.tracing)
    providers.push({
      provide: McpTracing,
      inject: [OBSERVABILITY_MODULE_OPTIONS],
      useFactory: (options: ObservabilityModuleOptions) => {
        const tracing = partOptions<TracingOptions>(options.tracing);
        return tracing ? new McpTracing(tracing) : null;
      },
    });

  if (parts.logging) {
    providers.push({
      provide: CallLogger,
      inject: [
        OBSERVABILITY_CALL_LOGGER,
        CallRecorder,
        OBSERVABILITY_REDACTOR,
        OBSERVABILITY_MODULE_OPTIONS,
        { token: McpServers, optional: true },
      ],
      useFactory: (
        logger: Logger,
        recorder: CallRecorder,
        redactor: Redactor,
        options: ObservabilityModuleOptions,
        servers?: McpServers,
      ) => {
        const logging = partOptions<LoggingOptions>(options.logging);
        return logging ? new CallLogger(logger, recorder, redactor, logging, servers) : null;
      },
    });
    if (parts.nestLogger) imports.push(nestLoggerModule(host));
  }

  if (parts.audit) {
    providers.push(...auditProviders(parts.audit));
    exports.push(AuditSink, AuditTrail);
  }
  if (parts.health) {
    const health = healthParts(parts.health);
    imports.push(...(health.imports as DynamicModule[]));
    endpoints.push(health.endpoint);
    providers.push(...health.providers);
    exports.push(ReadinessState);
  }
  if (parts.slo) {
    const slo = sloParts(parts.slo);
    imports.push(...(slo.imports as DynamicModule[]));
    if (slo.endpoint) endpoints.push(slo.endpoint);
    providers.push(...slo.providers);
    exports.push(SloTracker);
  }
  if (parts.metricsResource) {
    providers.push(...metricsResourceProviders(parts.metricsResource));
    // For a tool that answers the same summary (the web-scrape app's `get_metrics`).
    exports.push(MetricsResource);
  }

  const guards = checkGuards(parts.endpoints.guards ?? []);
  if (parts.endpoints.serve !== false)
    controllers.push(...endpoints.map((endpoint) => endpoint.controller(guards)));
  providers.push({ provide: OBSERVABILITY_ENDPOINTS, useValue: endpoints });

  return {
    ...base,
    imports,
    providers,
    controllers,
    exports,
  };
}

/** The guards of `endpoints.guards`, checked when the module is assembled. */
function checkGuards(guards: readonly EndpointGuard[]): readonly EndpointGuard[] {
  if (!Array.isArray(guards))
    throw new Error('ObservabilityModule: endpoints.guards must be an array of guards');
  for (const guard of guards)
    if (
      typeof guard !== 'function' &&
      typeof (guard as Partial<CanActivate> | null)?.canActivate !== 'function'
    )
      throw new Error(
        'ObservabilityModule: each of endpoints.guards must be a guard class or an object with canActivate()',
      );
  return guards;
}

/**
 * nestjs-pino's `LoggerModule` on the same pino instance, without its HTTP middleware unless
 * `logging.httpRequests` asks for it (and then never logging the MCP endpoints, which get one
 * line per call instead).
 */
function nestLoggerModule(host: DynamicModule): DynamicModule {
  return LoggerModule.forRootAsync({
    imports: [host],
    inject: [OBSERVABILITY_CALL_LOGGER, OBSERVABILITY_MODULE_OPTIONS, McpServers],
    useFactory: (
      logger: Logger,
      options: ObservabilityModuleOptions,
      servers: McpServers,
    ): Params => {
      const logging = partOptions<LoggingOptions>(options.logging);
      if (!logging?.httpRequests)
        return { pinoHttp: { logger, autoLogging: false }, forRoutes: [] };
      let mcpPaths: Set<string> | undefined;
      const fields = new Set(logging.redactFields ?? DEFAULT_LOG_REDACT_FIELDS);
      return {
        pinoHttp: {
          logger,
          // The URL's query string may carry a credential (`?access_token=`); headers and the
          // parsed query are hidden by the logger's `redact` paths.
          serializers: {
            req: (req: { url?: string }) => {
              if (typeof req.url === 'string') req.url = redactQuery(req.url, fields);
              return req;
            },
          },
          autoLogging: {
            ignore: (req) => {
              mcpPaths ??= new Set(
                servers
                  .names()
                  .map((name) => servers.get(name).httpPath)
                  .filter((p): p is string => !!p),
              );
              const url = req.url ?? '';
              const q = url.indexOf('?');
              return mcpPaths.has(q < 0 ? url : url.slice(0, q));
            },
          },
        },
        forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
      };
    },
  });
}
