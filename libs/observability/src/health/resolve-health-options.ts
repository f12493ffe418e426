import type { HealthOptions } from './health-options.interface';

/** {@link HealthOptions} with every default filled in. */
export type ResolvedHealthOptions = Required<Omit<HealthOptions, 'redis'>> &
  Pick<HealthOptions, 'redis'>;

/**
 * Fills in the defaults of {@link HealthOptions} and checks them, naming the field at fault.
 *
 * @example
 * resolveHealthOptions(true).readyPath; // '/health/ready'
 */
export function resolveHealthOptions(options: HealthOptions | true): ResolvedHealthOptions {
  const o: HealthOptions = options === true ? {} : options;
  const resolved: ResolvedHealthOptions = {
    livePath: o.livePath ?? '/health/live',
    readyPath: o.readyPath ?? '/health/ready',
    redis: o.redis,
    redisTimeoutMs: o.redisTimeoutMs ?? 1_000,
    eventLoopDelayMs: o.eventLoopDelayMs ?? 1_000,
    heapUsedBytes: o.heapUsedBytes ?? 0,
    gracePeriodMs: o.gracePeriodMs ?? 10_000,
    shutdownDelayMs: o.shutdownDelayMs ?? 0,
    criticalBreakers: o.criticalBreakers ?? [],
    criticalBreakerOpen: o.criticalBreakerOpen ?? 'degraded',
  };
  for (const key of [
    'redisTimeoutMs',
    'eventLoopDelayMs',
    'heapUsedBytes',
    'gracePeriodMs',
    'shutdownDelayMs',
  ] as const)
    if (!(typeof resolved[key] === 'number' && resolved[key] >= 0))
      throw new Error(`HealthOptions.${key} must be a number >= 0; got ${String(resolved[key])}`);
  for (const key of ['livePath', 'readyPath'] as const)
    if (!resolved[key].startsWith('/'))
      throw new Error(`HealthOptions.${key} must start with "/"; got "${resolved[key]}"`);
  if (resolved.livePath === resolved.readyPath)
    throw new Error('HealthOptions.livePath and readyPath must differ');
  if (!['degraded', 'down'].includes(resolved.criticalBreakerOpen))
    throw new Error(`HealthOptions.criticalBreakerOpen must be 'degraded' or 'down'`);
  return resolved;
}
