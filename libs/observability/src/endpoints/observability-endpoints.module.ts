import {
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type InjectionToken,
} from '@nestjs/common';
import type { EndpointGuard } from './endpoints-options.interface';
import { OBSERVABILITY_ENDPOINTS, type EndpointPart } from './observability-endpoints';

/** Options of {@link ObservabilityEndpointsModule.forApp}. */
export interface ObservabilityEndpointsOptions {
  /**
   * Guards on every endpoint of this application, classes (resolved in this application) or
   * instances (e.g. built from the source application's providers).
   * @default []
   */
  guards?: EndpointGuard[];
}

/** Lifecycle hooks that stay the source application's own (see `borrowed`). */
const LIFECYCLE_HOOKS = new Set<PropertyKey>([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * `instance` without its lifecycle hooks: Nest calls the hooks of value providers too, and the
 * source application already runs them (its readiness drain, its Redis client's disconnect).
 * Methods are bound to the instance itself.
 */
function borrowed<T extends object>(instance: T): T {
  return new Proxy(instance, {
    get(target, key) {
      if (LIFECYCLE_HOOKS.has(key)) return undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/**
 * Serves the operational endpoints of another Nest application (`/metrics`, `/health/live`,
 * `/health/ready`, `/slo`, as its `ObservabilityModule` assembled them): import it in a second
 * application that listens on another port, so the MCP port serves none of them. The endpoints
 * read the source application's own registry, readiness and SLO tracker.
 *
 * Close the source application first: its shutdown turns readiness 503 and drains the MCP
 * requests while this one still answers probes.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule); // ObservabilityModule.forRoot({ …, endpoints: { serve: false } })
 * const ops = await NestFactory.create(ObservabilityEndpointsModule.forApp(app));
 * await ops.listen(9464);
 * await app.listen(3000);
 * ```
 */
@Module({})
export class ObservabilityEndpointsModule {
  /** The endpoints of `source`, served from its instances. */
  static forApp(
    source: INestApplicationContext,
    options: ObservabilityEndpointsOptions = {},
  ): DynamicModule {
    let parts: EndpointPart[];
    try {
      parts = source.get<EndpointPart[]>(OBSERVABILITY_ENDPOINTS, { strict: false });
    } catch {
      throw new Error(
        'ObservabilityEndpointsModule.forApp(): the application has no ObservabilityModule',
      );
    }
    const tokens = new Set<InjectionToken>(parts.flatMap((part) => part.tokens));
    return {
      module: ObservabilityEndpointsModule,
      controllers: parts.map((part) => part.controller(options.guards ?? [])),
      providers: [...tokens].map((token) => ({
        provide: token,
        useValue: borrowed(source.get<object>(token, { strict: false })),
      })),
    };
  }
}
