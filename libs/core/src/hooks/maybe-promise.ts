/** A value now, or a promise of it: hooks and views answer synchronously when they can. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Whether `value` is a promise (any thenable). The call path awaits only those: an `await` of a
 * value that is already there still costs a microtask turn and, in an `async` function, a promise.
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
