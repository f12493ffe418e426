import { Reflector } from '@nestjs/core';
import { InvalidSloObjectiveError } from './invalid-slo-objective.error';
import type { SloObjective } from './slo-options.interface';

/** Typed metadata of `@Slo()`. */
export const SloMetadata = Reflector.createDecorator<SloObjective>();

/**
 * Declares the service-level objectives of a tool: a latency objective, a success objective, or
 * both, over a sliding window. Metadata only: the SLO part of `ObservabilityModule` computes the
 * budgets from the recorded calls, serves them at `/slo` and as `rampart_slo_*` gauges, and may
 * shed the tool's non-critical calls while a budget is spent (`shedWhenExhausted`).
 * `SloOptions.tools` overrides it by tool name.
 *
 * @example
 * ```ts
 * @Tool({ name: 'scrape_url' })
 * @Slo({ latency: { percentile: 0.95, thresholdMs: 300 }, success: 0.995, windowMs: 3_600_000 })
 * async scrape(@Args() input: ScrapeUrlInput) { ... }
 * ```
 */
export function Slo(objective: SloObjective): MethodDecorator {
  assertSloObjective(objective, '@Slo()');
  return SloMetadata(objective);
}

/** Throws an {@link InvalidSloObjectiveError} naming the first field that cannot work. */
export function assertSloObjective(objective: SloObjective, where: string): void {
  const fail = (why: string): never => {
    throw new InvalidSloObjectiveError(`${where}: ${why}`);
  };
  if (!objective || typeof objective !== 'object') fail('an objective must be an object');
  const { latency, success, windowMs } = objective;
  if (latency === undefined && success === undefined) fail('set "latency", "success" or both');
  if (success !== undefined && !(typeof success === 'number' && success > 0 && success < 1))
    fail(`"success" must be a fraction in (0, 1), e.g. 0.995; got ${String(success)}`);
  if (latency !== undefined) {
    const { percentile, thresholdMs } = latency;
    if (!(typeof percentile === 'number' && percentile > 0 && percentile < 1))
      fail(
        `"latency.percentile" must be a fraction in (0, 1), e.g. 0.95; got ${String(percentile)}`,
      );
    if (!(typeof thresholdMs === 'number' && thresholdMs > 0 && Number.isFinite(thresholdMs)))
      fail(`"latency.thresholdMs" must be a positive number; got ${String(thresholdMs)}`);
  }
  if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs > 0))
    fail(`"windowMs" must be a positive integer; got ${String(windowMs)}`);
}
