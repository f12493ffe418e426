import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/** Consumes one point and turns rate-limiter-flexible's answer into a verdict. */
export async function consumeOne(
  limiter: RateLimiterAbstract,
  key: string,
  onError: (error: unknown) => RateLimitVerdict,
): Promise<RateLimitVerdict> {
  try {
    const res = await limiter.consume(key, 1);
    return { allowed: true, remaining: res.remainingPoints, retryAfterMs: 0 };
  } catch (e) {
    if (e instanceof RateLimiterRes)
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, e.msBeforeNext) };
    return onError(e);
  }
}

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
  const verdicts: RateLimitVerdict[] = [];
  let pending: Promise<void>[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const verdict = storage.consume(rules[i], keyOf(i));
    if (isPromiseLike(verdict))
      (pending ??= []).push(
        Promise.resolve(verdict).then((v) => {
          verdicts[i] = v;
        }),
      );
    else verdicts[i] = verdict;
  }
  return pending ? Promise.all(pending).then(() => verdicts) : verdicts;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';
}
