import { ResilienceDefinitionError } from '../errors/resilience-definition.error';
import type {
  BulkheadOptions,
  CircuitBreakerOptions,
  IdempotentOptions,
  RateLimitOptions,
  ResilienceModuleOptions,
  RetryOptions,
  TimeoutOptions,
  ToolPolicy,
} from '../interfaces/resilience-module-options.interface';

/** A rate limit with its name resolved. */
export type NormalizedRateLimit = RateLimitOptions & { name: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const nonNegative = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Throws a {@link ResilienceDefinitionError} naming `where` when `ok` is false. */
function check(ok: boolean, where: string, problem: string): void {
  if (!ok) throw new ResilienceDefinitionError(`Invalid ${where}: ${problem}`);
}

/** Validates one or several rate limits and resolves their names. */
export function validateRateLimits(
  value: RateLimitOptions | RateLimitOptions[],
  where: string,
): NormalizedRateLimit[] {
  const list = Array.isArray(value) ? value : [value];
  check(list.length > 0, where, 'give at least one limit');
  const names = new Set<string>();
  return list.map((limit, i) => {
    const at = list.length > 1 ? `${where} (limit ${i + 1})` : where;
    check(isObject(limit), at, 'a limit is an object { points, perMs }');
    check(
      positiveInt(limit.points),
      at,
      `points must be a positive integer, got ${String(limit.points)}`,
    );
    check(
      positiveInt(limit.perMs) && limit.perMs % 1000 === 0,
      at,
      `perMs must be a positive whole number of seconds in milliseconds (1000, 60000...), got ${String(limit.perMs)}`,
    );
    check(
      limit.blockMs === undefined || (nonNegative(limit.blockMs) && limit.blockMs % 1000 === 0),
      at,
      `blockMs must be a whole number of seconds in milliseconds, got ${String(limit.blockMs)}`,
    );
    check(
      limit.key === undefined ||
        typeof limit.key === 'function' ||
        ['identity', 'tenant', 'ip'].includes(limit.key),
      at,
      `key must be 'identity', 'tenant', 'ip' or a function, got ${String(limit.key)}`,
    );
    const name = limit.name ?? `${limit.points}-per-${limit.perMs}`;
    check(/^[A-Za-z0-9_.-]+$/.test(name), at, `name must match [A-Za-z0-9_.-]+, got "${name}"`);
    check(!names.has(name), at, `two limits are named "${name}": give each a distinct name`);
    names.add(name);
    return { ...limit, name };
  });
}

/** Validates `@Retry()` options. */
export function validateRetry(options: RetryOptions, where: string): RetryOptions {
  check(isObject(options), where, 'options are an object { attempts, ... }');
  check(
    Number.isInteger(options.attempts) && options.attempts >= 2,
    where,
    `attempts counts the first call too and must be an integer of 2 or more, got ${String(options.attempts)}`,
  );
  check(
    options.backoff === undefined ||
      ['exponential', 'decorrelated-jitter'].includes(options.backoff),
    where,
    `backoff must be 'exponential' or 'decorrelated-jitter', got ${String(options.backoff)}`,
  );
  check(
    options.initialDelayMs === undefined || nonNegative(options.initialDelayMs),
    where,
    'initialDelayMs must be a number of milliseconds >= 0',
  );
  check(
    options.maxDelayMs === undefined || nonNegative(options.maxDelayMs),
    where,
    'maxDelayMs must be a number of milliseconds >= 0',
  );
  check(
    options.maxDelayMs === undefined ||
      options.initialDelayMs === undefined ||
      options.maxDelayMs >= options.initialDelayMs,
    where,
    `maxDelayMs (${String(options.maxDelayMs)}) must not be below initialDelayMs (${String(options.initialDelayMs)})`,
  );
  for (const flag of ['jitter', 'unsafe'] as const)
    check(
      options[flag] === undefined || typeof options[flag] === 'boolean',
      where,
      `${flag} must be true or false`,
    );
  check(
    options.on === undefined ||
      typeof options.on === 'function' ||
      (Array.isArray(options.on) && options.on.every((c) => typeof c === 'function')),
    where,
    'on must be an array of error classes or a predicate',
  );
  return options;
}

/** Validates `@CircuitBreaker()` options. */
export function validateCircuitBreaker(
  options: CircuitBreakerOptions,
  where: string,
): CircuitBreakerOptions {
  check(
    isObject(options),
    where,
    'options are an object { consecutiveFailures | sampling, halfOpenAfterMs }',
  );
  check(
    (options.consecutiveFailures === undefined) !== (options.sampling === undefined),
    where,
    'give exactly one of consecutiveFailures and sampling',
  );
  check(
    options.consecutiveFailures === undefined || positiveInt(options.consecutiveFailures),
    where,
    'consecutiveFailures must be a positive integer',
  );
  if (options.sampling) {
    const s = options.sampling;
    check(
      positive(s.threshold) && s.threshold < 1,
      where,
      `sampling.threshold must be a failure ratio in (0, 1) (the circuit opens above it), got ${String(s.threshold)}`,
    );
    check(
      positive(s.durationMs),
      where,
      'sampling.durationMs must be a positive number of milliseconds',
    );
    check(
      s.minimumRps === undefined || nonNegative(s.minimumRps),
      where,
      'sampling.minimumRps must be >= 0',
    );
  }
  check(
    positive(options.halfOpenAfterMs),
    where,
    'halfOpenAfterMs must be a positive number of milliseconds',
  );
  check(
    options.key === undefined || typeof options.key === 'function',
    where,
    'key must be a function (args, ctx) => string',
  );
  check(
    options.maxKeys === undefined || positiveInt(options.maxKeys),
    where,
    'maxKeys must be a positive integer',
  );
  return options;
}

/** Validates `@Timeout()` options; a number is `attemptMs`. */
export function validateTimeout(options: TimeoutOptions | number, where: string): TimeoutOptions {
  const t = typeof options === 'number' ? { attemptMs: options } : options;
  check(isObject(t), where, 'options are a number of milliseconds or { attemptMs?, overallMs? }');
  check(
    t.attemptMs !== undefined || t.overallMs !== undefined,
    where,
    'give attemptMs, overallMs or both',
  );
  check(
    t.attemptMs === undefined || positive(t.attemptMs),
    where,
    'attemptMs must be a positive number of milliseconds',
  );
  check(
    t.overallMs === undefined || positive(t.overallMs),
    where,
    'overallMs must be a positive number of milliseconds',
  );
  return t;
}

/** Validates `@Bulkhead()` options. */
export function validateBulkhead(options: BulkheadOptions, where: string): BulkheadOptions {
  check(isObject(options), where, 'options are an object { maxConcurrent, maxQueue? }');
  check(positiveInt(options.maxConcurrent), where, 'maxConcurrent must be a positive integer');
  check(
    options.maxQueue === undefined || (Number.isInteger(options.maxQueue) && options.maxQueue >= 0),
    where,
    'maxQueue must be an integer >= 0',
  );
  check(
    options.retryAfterMs === undefined || nonNegative(options.retryAfterMs),
    where,
    'retryAfterMs must be >= 0',
  );
  return options;
}

/** Validates `@Idempotent()` options. */
export function validateIdempotent(options: IdempotentOptions, where: string): IdempotentOptions {
  check(isObject(options), where, 'options are an object { ttlMs, argument? }');
  check(
    positiveInt(options.ttlMs),
    where,
    'ttlMs must be a positive integer number of milliseconds',
  );
  check(
    options.argument === undefined ||
      (typeof options.argument === 'string' && options.argument.length > 0),
    where,
    'argument must be a non-empty argument name',
  );
  return options;
}

/** A policy with every part validated and normalized. */
export interface NormalizedPolicy {
  rateLimit?: NormalizedRateLimit[];
  retry?: RetryOptions;
  circuitBreaker?: CircuitBreakerOptions;
  timeout?: TimeoutOptions;
  bulkhead?: BulkheadOptions;
  idempotent?: IdempotentOptions;
}

/** The kinds of policy a tool can have, in the keys of {@link ToolPolicy}. */
export const POLICY_KINDS = [
  'rateLimit',
  'retry',
  'circuitBreaker',
  'timeout',
  'bulkhead',
  'idempotent',
] as const;

/** Validates every part of a {@link ToolPolicy} (module options' `defaults` and `tools`). */
export function validatePolicy(policy: ToolPolicy, where: string): NormalizedPolicy {
  check(isObject(policy), where, 'a policy is an object');
  for (const k of Object.keys(policy))
    check(
      (POLICY_KINDS as readonly string[]).includes(k),
      `${where}.${k}`,
      `unknown policy; expected one of ${POLICY_KINDS.join(', ')}`,
    );
  return {
    ...(policy.rateLimit !== undefined && {
      rateLimit: validateRateLimits(policy.rateLimit, `${where}.rateLimit`),
    }),
    ...(policy.retry !== undefined && { retry: validateRetry(policy.retry, `${where}.retry`) }),
    ...(policy.circuitBreaker !== undefined && {
      circuitBreaker: validateCircuitBreaker(policy.circuitBreaker, `${where}.circuitBreaker`),
    }),
    ...(policy.timeout !== undefined && {
      timeout: validateTimeout(policy.timeout, `${where}.timeout`),
    }),
    ...(policy.bulkhead !== undefined && {
      bulkhead: validateBulkhead(policy.bulkhead, `${where}.bulkhead`),
    }),
    ...(policy.idempotent !== undefined && {
      idempotent: validateIdempotent(policy.idempotent, `${where}.idempotent`),
    }),
  };
}

/**
 * Validates the module option `storage` (`'memory'` or `{ redis, keyPrefix?, commandTimeoutMs? }`),
 * before any Redis client is created.
 */
export function validateStorage(storage: ResilienceModuleOptions['storage']): void {
  const value = storage as unknown;
  if (value === undefined || value === 'memory') return;
  const where = 'ResilienceModule option storage';
  check(
    isObject(value) && 'redis' in value,
    where,
    `'memory' or { redis: url | client }, got ${JSON.stringify(value)}`,
  );
  const { redis, keyPrefix, commandTimeoutMs } = value as Record<string, unknown>;
  check(
    redis === undefined || typeof redis === 'string' || isObject(redis),
    `${where}.redis`,
    `a Redis URL, an ioredis client or undefined (memory), got ${String(redis)}`,
  );
  check(
    keyPrefix === undefined || typeof keyPrefix === 'string',
    `${where}.keyPrefix`,
    `a string, got ${String(keyPrefix)}`,
  );
  check(
    commandTimeoutMs === undefined || positiveInt(commandTimeoutMs),
    `${where}.commandTimeoutMs`,
    `a positive integer number of milliseconds, got ${String(commandTimeoutMs)}`,
  );
}
