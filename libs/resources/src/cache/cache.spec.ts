import { isCacheDefinitionError } from '../errors/cache-definition.error';
import { CacheEvict } from './cacheable.decorator';
import { canonicalJson } from './canonical-json';
import { ResultCache } from './result-cache.service';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('leaves out undefined members and gives dates their JSON', () => {
    expect(canonicalJson({ a: undefined, when: new Date(0) })).toBe(
      '{"when":"1970-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('@CacheEvict', () => {
  it('refuses a missing tool name when the class is defined', () => {
    const define = () => {
      class Bad {
        @CacheEvict({ tools: [] })
        m() {}
      }
      return Bad;
    };
    expect(define).toThrow('Invalid @CacheEvict() on Bad.m: tools must name one or more tools');
  });
});

describe('ResultCache', () => {
  it('refuses bad options with a named error', () => {
    let error: unknown;
    try {
      new ResultCache({ maxEntries: 0 });
    } catch (e) {
      error = e;
    }
    expect(isCacheDefinitionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid ResultCacheModule option "maxEntries": a positive integer, got 0',
    );
  });

  it('keeps no value that keep() refuses, and runs the computation again', async () => {
    const cache = new ResultCache();
    const key = { server: 's', name: 't', scope: 'public' as const, args: { q: 1 } };
    let runs = 0;
    const compute = () => Promise.resolve({ isError: true, run: ++runs });
    const keep = (v: { isError: boolean }) => !v.isError;
    expect(await cache.getOrCompute(key, 1_000, compute, keep)).toMatchObject({ hit: false });
    expect(await cache.getOrCompute(key, 1_000, compute, keep)).toMatchObject({ hit: false });
    expect(runs).toBe(2);
    await cache.onApplicationShutdown();
  });

  it('evicts one entry by its arguments, the others staying', async () => {
    const cache = new ResultCache();
    const key = (q: number) => ({ server: 's', name: 't', scope: 'public' as const, args: { q } });
    await cache.getOrCompute(key(1), 60_000, () => Promise.resolve('one'));
    await cache.getOrCompute(key(2), 60_000, () => Promise.resolve('two'));
    await cache.evict(key(1));
    expect((await cache.getOrCompute(key(1), 60_000, () => Promise.resolve('new'))).value).toBe(
      'new',
    );
    expect((await cache.getOrCompute(key(2), 60_000, () => Promise.resolve('x'))).value).toBe(
      'two',
    );
    expect(cache.stats()).toMatchObject({ evictions: 1, redisOutages: 0, redisDown: false });
    await cache.onApplicationShutdown();
  });
});
