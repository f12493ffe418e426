import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/** The index of the refused verdict with the longest wait, or -1 when every verdict allowed. */
export function worstRefusal(verdicts: readonly RateLimitVerdict[]): number {
  let worst = -1;
  for (let i = 0; i < verdicts.length; i++)
    if (
      !verdicts[i].allowed &&
      (worst === -1 || verdicts[i].retryAfterMs > verdicts[worst].retryAfterMs)
    )
      worst = i;
  return worst;
}

/**
 * Takes one point of every rule (`keyOf(i)` names rule `i`'s bucket). The verdicts come back at
 * once when the storage answers synchronously, as a promise when any answer is one.
 */
export function consumeAll(
  storage: RateLimitStorage,
  rules: readonly RateLimitRule[],
  keyOf: (i: number) => string,
): RateLimitVerdict[] | Promise<RateLimitVerdict[]> {
  const verdicts: (RateLimitVerdict | PromiseLike<RateLimitVerdict>)[] = [];
  let waits = false;
  for (let i = 0; i < rules.length; i++) {
    const verdict = storage.consume(rules[i], keyOf(i));
    verdicts.push(verdict);
    waits ||= isPromiseLike(verdict);
  }
  // `Promise.resolve` of a native promise is that promise: nothing is allocated for it.
  return waits
    ? Promise.all(verdicts.map((v) => Promise.resolve(v)))
    : (verdicts as RateLimitVerdict[]);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';
}
