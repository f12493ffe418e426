import { Controller, Get, Query, UseGuards, type Type } from '@nestjs/common';
import type { EndpointGuard } from '../endpoints/endpoints-options.interface';
import { SloTracker, type ToolSloStatus } from './slo.tracker';

/** Body of `GET /slo`. */
export interface SloReport {
  /** When the report was computed, ISO 8601. */
  generatedAt: string;
  /** One entry per tracked tool, sorted by server and tool. */
  tools: ToolSloStatus[];
}

/**
 * Builds the controller that serves the SLO report as JSON at `path` (`?server=` narrows it to one
 * server), behind `guards`.
 *
 * @example
 * ```ts
 * controllers: [createSloController('/slo')]
 * // GET /slo → { generatedAt, tools: [{ server, tool, calls, errorRate, p95Ms, objectives: { success: { budgetRemaining, burnRate: { '5m': 0.4, '1h': 0.1 } } } }] }
 * ```
 */
export function createSloController(path: string, guards: readonly EndpointGuard[] = []): Type {
  @Controller()
  class SloController {
    constructor(private readonly tracker: SloTracker) {}

    @Get(path)
    report(@Query('server') server?: string): SloReport {
      const now = Date.now();
      return { generatedAt: new Date(now).toISOString(), tools: this.tracker.report(now, server) };
    }
  }
  if (guards.length > 0) UseGuards(...guards)(SloController);
  return SloController;
}
