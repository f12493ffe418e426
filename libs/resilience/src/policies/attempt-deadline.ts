import type { McpContext } from '@rampart/core';
import { TaskCancelledError } from 'cockatiel';

/**
 * Runs one attempt of a call under its per-attempt timeout (`@Timeout({ attemptMs })`): answers
 * `work`'s result, or rejects with cockatiel's `TaskCancelledError` at the deadline whether or
 * not the method heeds its signal (cockatiel's aggressive strategy). While the attempt runs,
 * `ctx.signal` also aborts at the deadline (and when `outer`, the overall deadline's signal,
 * aborts), so the method's own I/O stops; the method sees it narrowed until it returns.
 *
 * Written here rather than taken from cockatiel's `timeout()`, which the overall timeout still
 * uses: cockatiel builds an `AbortController`, three abort listeners and a `Promise.race` per
 * execution, and this runs once per attempt of every call. Here the `AbortController` is built
 * only when the method reads `ctx.signal` or the deadline passes; a call that returns in time
 * costs one timer and one promise. Measured in test/bench, that is about 2 µs of a `tools/call`
 * over HTTP. It is the innermost stage, so no policy inside it needs its signal.
 *
 * @example
 * ```ts
 * const result = await runWithDeadline(2_000, ctx, () => fetchPage(ctx.signal));
 * ```
 */
export function runWithDeadline<T>(
  ms: number,
  ctx: McpContext,
  work: () => Promise<T>,
  outer?: AbortSignal,
  /** Maps the error the attempt rejects with (its own or the timeout's). */
  mapError: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  let controller: AbortController | undefined;
  const restoreOuter = outer && ctx.linkSignal(outer);
  const restore = ctx.linkSignal(() => (controller ??= new AbortController()).signal);
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const error = new TaskCancelledError(`Operation timed out after ${ms}ms`);
      (controller ??= new AbortController()).abort(error);
      reject(mapError(error));
    }, ms);
    const settle = () => {
      clearTimeout(timer);
      // Innermost first: each restore puts back what its link saw.
      restore();
      restoreOuter?.();
    };
    work().then(
      (value) => {
        settle();
        if (!timedOut) resolve(value);
      },
      (error: unknown) => {
        settle();
        if (!timedOut) reject(mapError(error));
      },
    );
  });
}
