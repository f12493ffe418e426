import { Reflector } from '@nestjs/core';
import { INVALID_CACHE_EVICT, INVALID_CACHEABLE } from '../errors/messages.constant';
import { CacheDefinitionError } from '../errors/cache-definition.error';
import { CACHE_EVICT_KEY, CACHEABLE_KEY } from './cache.constants';
import type { CacheEvictOptions, CacheableOptions } from './cache-options.interface';

/** Typed metadata of {@link Cacheable}, with `scope` resolved. */
export const CacheableMetadata = Reflector.createDecorator<
  CacheableOptions & { scope: 'public' | 'private' }
>({ key: CACHEABLE_KEY });

/** Typed metadata of {@link CacheEvict}, with `tools` as an array. */
export const CacheEvictMetadata = Reflector.createDecorator<
  Omit<CacheEvictOptions, 'tools'> & { tools: readonly string[] }
>({ key: CACHE_EVICT_KEY });

const whereOf = (target: object, key: string | symbol) =>
  `${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;

/**
 * Serves a read-only tool or resource from the result cache: the first call with given arguments
 * runs the method and keeps its result for `ttlMs`, and the calls after it, on this replica or
 * (with Redis) any other, get that result without running the method. Identical calls made while
 * the first runs wait for it: one computation per key at a time in each process.
 *
 * The key is the server, the tool (or resource URI), the canonical JSON of the arguments (or of
 * `key(args)`) and, when `scope` is `private` (the default), the caller's identity subject and
 * tenant. Errors and `isError` results are not kept. Guards, rate limits and validation still
 * run on every call: the cache stands where the interceptors do.
 *
 * A tool not annotated `readOnlyHint: true` is refused when the app boots unless
 * `allowNonReadOnly: true`. Bad options throw a `CacheDefinitionError` when the class is defined.
 * Carried out by the `ResultCacheInterceptor`, registered globally by `ResultCacheModule`.
 *
 * @example
 * ```ts
 * @Tool({ name: 'get_weather', annotations: { readOnlyHint: true } })
 * @Cacheable({ ttlMs: 60_000, scope: 'public', key: (a) => ({ city: a.city }) })
 * weather(@Args() input: WeatherInput) { return this.api.weather(input.city); }
 * ```
 */
export function Cacheable(options: CacheableOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = whereOf(target, key);
    const fail = (problem: string) => {
      throw new CacheDefinitionError(INVALID_CACHEABLE(where, problem));
    };
    if (!options || typeof options !== 'object') fail('give the options, e.g. { ttlMs: 60_000 }');
    if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0)
      fail(`ttlMs must be a positive integer of milliseconds, got ${String(options.ttlMs)}`);
    const scope = options.scope ?? 'private';
    if (scope !== 'public' && scope !== 'private')
      fail(`scope must be 'public' or 'private', got ${JSON.stringify(scope)}`);
    if (options.key !== undefined && typeof options.key !== 'function')
      fail('key must be a function of the arguments');
    CacheableMetadata({ ...options, scope })(target, key, descriptor);
  };
}

/**
 * Drops result-cache entries once the decorated (mutating) method has succeeded: every entry of
 * the named tools of the same server, or with `args` the one entry of those arguments (the
 * caller's own when the target is private). On every replica: the memory tiers of the others
 * drop theirs through Redis pub/sub.
 *
 * @example
 * ```ts
 * @Tool({ name: 'update_note' })
 * @CacheEvict({ tools: 'get_note', args: (a) => ({ id: a.id }) })
 * update(@Args() input: UpdateNote) { return this.notes.update(input); }
 * ```
 */
export function CacheEvict(options: CacheEvictOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = whereOf(target, key);
    const fail = (problem: string) => {
      throw new CacheDefinitionError(INVALID_CACHE_EVICT(where, problem));
    };
    const tools = typeof options?.tools === 'string' ? [options.tools] : options?.tools;
    if (
      !Array.isArray(tools) ||
      tools.length === 0 ||
      tools.some((t) => typeof t !== 'string' || !t)
    )
      fail('tools must name one or more tools');
    if (options.args !== undefined && typeof options.args !== 'function')
      fail('args must be a function of the arguments');
    CacheEvictMetadata({ ...options, tools: [...tools!] })(target, key, descriptor);
  };
}
