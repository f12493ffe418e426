import { assertSloObjective } from './slo.decorator';
import {
  DEFAULT_SHORT_BURN_WINDOW_MS,
  DEFAULT_SLO_BUCKETS,
  DEFAULT_SLO_WINDOW_MS,
  PRIORITY_META_KEY,
} from './slo.constants';
import type { SloOptions } from './slo-options.interface';
import { InvalidSloObjectiveError } from './invalid-slo-objective.error';

/** {@link SloOptions} with every default filled in. */
export type ResolvedSloOptions = Required<Omit<SloOptions, 'defaultObjective'>> &
  Pick<SloOptions, 'defaultObjective'> & { readonly resolved: true };

/**
 * Fills in the defaults of {@link SloOptions} and checks them, naming the field that cannot work.
 *
 * @example
 * resolveSloOptions(true).windowMs; // 3_600_000
 */
export function resolveSloOptions(
  options: SloOptions | ResolvedSloOptions | true,
): ResolvedSloOptions {
  if (options !== true && 'resolved' in options) return options;
  const o: SloOptions = options === true ? {} : options;
  const windowMs = o.windowMs ?? DEFAULT_SLO_WINDOW_MS;
  const resolved: ResolvedSloOptions = {
    tools: o.tools ?? {},
    defaultObjective: o.defaultObjective,
    windowMs,
    buckets: o.buckets ?? DEFAULT_SLO_BUCKETS,
    burnRateWindowsMs: o.burnRateWindowsMs ?? [DEFAULT_SHORT_BURN_WINDOW_MS, windowMs],
    minCalls: o.minCalls ?? 20,
    path: o.path ?? '/slo',
    metrics: o.metrics ?? true,
    shedding: o.shedding ?? true,
    isNonCritical: o.isNonCritical ?? ((request) => request.meta?.[PRIORITY_META_KEY] === 'low'),
    maxTools: o.maxTools ?? 1000,
    resolved: true,
  };
  const positiveInt = (name: string, v: number) => {
    if (!(Number.isInteger(v) && v > 0))
      throw new InvalidSloObjectiveError(`SloOptions.${name} must be a positive integer; got ${v}`);
  };
  positiveInt('windowMs', resolved.windowMs);
  positiveInt('buckets', resolved.buckets);
  positiveInt('maxTools', resolved.maxTools);
  resolved.burnRateWindowsMs.forEach((v) => positiveInt('burnRateWindowsMs[]', v));
  if (!(Number.isInteger(resolved.minCalls) && resolved.minCalls >= 0))
    throw new InvalidSloObjectiveError(`SloOptions.minCalls must be an integer >= 0`);
  for (const [tool, objective] of Object.entries(resolved.tools))
    assertSloObjective(objective, `SloOptions.tools.${tool}`);
  if (resolved.defaultObjective)
    assertSloObjective(resolved.defaultObjective, 'SloOptions.defaultObjective');
  return resolved;
}
