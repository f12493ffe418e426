import { ExponentialBackoff, type GeneratorFn, type IBackoffFactory } from 'cockatiel';
import type { RetryOptions } from '../interfaces/resilience-module-options.interface';

/** Exponential delays without jitter: initial × 2^n, capped. */
const exponential: GeneratorFn<number> = (attempt = 0, o) => [
  Math.min(o.maxDelay, o.initialDelay * o.exponent ** attempt),
  attempt + 1,
];

/** Exponential delays drawn between half and all of their value. */
const halfJitter =
  (random: () => number): GeneratorFn<number> =>
  (attempt = 0, o) => {
    const [delay, next] = exponential(attempt, o);
    return [Math.floor((delay + random() * delay) / 2), next];
  };

/**
 * Polly's decorrelated jitter (V2), as cockatiel ships it, with an injectable random source.
 * @see https://github.com/App-vNext/Polly/issues/530
 */
const decorrelatedJitter =
  (random: () => number): GeneratorFn<[number, number]> =>
  (state, o) => {
    const [attempt, prev] = state ?? [0, 0];
    const t = attempt + random();
    const next = o.exponent ** t * Math.tanh(Math.sqrt(4 * t));
    const intrinsic = Number.isFinite(next) ? Math.max(0, next - prev) : Infinity;
    return [Math.min((intrinsic / 1.4) * o.initialDelay, o.maxDelay), [attempt + 1, next]];
  };

/**
 * The cockatiel backoff of a `@Retry()`: exponential (optionally half-jittered) or decorrelated
 * jitter, drawing randomness from `random` so tests can seed it.
 *
 * @example
 * ```ts
 * const backoff = createBackoff({ attempts: 3, backoff: 'decorrelated-jitter' }, Math.random);
 * ```
 */
export function createBackoff(
  options: RetryOptions,
  random: () => number,
): IBackoffFactory<unknown> {
  const base = {
    initialDelay: options.initialDelayMs ?? 100,
    maxDelay: options.maxDelayMs ?? 10_000,
    exponent: 2,
  };
  if (options.backoff === 'decorrelated-jitter')
    return new ExponentialBackoff({ ...base, generator: decorrelatedJitter(random) });
  return new ExponentialBackoff({
    ...base,
    generator: options.jitter ? halfJitter(random) : exponential,
  });
}
