import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitVerdict } from './rate-limit.storage';

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
