import type { CanActivate, Type } from '@nestjs/common';

/**
 * A guard of the operational endpoints: a class (resolved by Nest) or an instance.
 *
 * @example
 * ```ts
 * const guards: EndpointGuard[] = [OperationsGuard, new IpAllowlistGuard(['10.0.0.0/8'])];
 * ```
 */
export type EndpointGuard = Type<CanActivate> | CanActivate;

/**
 * Options of the operational endpoints of `ObservabilityModule`: `/metrics`, `/health/live`,
 * `/health/ready` and `/slo` (those of the parts turned on). They are plain Nest controllers, so
 * Nest guards protect them; or they are served by another Nest application, on another port.
 *
 * @example
 * ```ts
 * // Behind the admin scope (OperationsGuard from @rampart/security):
 * ObservabilityModule.forRoot({ metrics: true, health: true, endpoints: { guards: [OperationsGuard] } });
 * // On another port: this app serves none, a second app serves them (ObservabilityEndpointsModule).
 * ObservabilityModule.forRoot({ metrics: true, health: true, endpoints: { serve: false } });
 * ```
 */
export interface EndpointsOptions {
  /**
   * Guards applied to every operational endpoint (`@UseGuards()` on their controllers), in
   * order. A guard given as a class is resolved by Nest in the observability module: its
   * dependencies must come from a global module (as `SecurityModule`'s `SecurityService` does).
   * Give an instance for anything else.
   * @default []
   */
  guards?: EndpointGuard[];
  /**
   * Whether this application serves the endpoints. `false` leaves them out of it, for another
   * Nest application (listening on another port) to serve them with
   * `ObservabilityEndpointsModule.forApp(app)`.
   * @default true
   */
  serve?: boolean;
}
