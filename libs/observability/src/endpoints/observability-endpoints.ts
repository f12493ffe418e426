import type { InjectionToken, Type } from '@nestjs/common';
import type { EndpointGuard } from './endpoints-options.interface';

/**
 * One operational endpoint of a part (metrics, health, SLO), as the module assembles it: how to
 * build its controller with guards, and what the controller injects, so that another Nest
 * application can serve it from this one's instances.
 *
 * @example
 * ```ts
 * const parts = app.get<EndpointPart[]>(OBSERVABILITY_ENDPOINTS, { strict: false });
 * const controllers = parts.map((part) => part.controller([AdminOnlyGuard]));
 * ```
 */
export interface EndpointPart {
  /** The controller class, with `guards` on it (a new class per call). */
  controller(guards: readonly EndpointGuard[]): Type;
  /** The tokens the controller injects. */
  readonly tokens: readonly InjectionToken[];
}

/**
 * Injection token of the app's {@link EndpointPart}s (`EndpointPart[]`), read by
 * `ObservabilityEndpointsModule.forApp()`.
 */
export const OBSERVABILITY_ENDPOINTS = Symbol.for('rampart:observability-endpoints');
