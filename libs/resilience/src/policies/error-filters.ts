import { HttpException } from '@nestjs/common';
import { isToolError } from '@rampart/core';
import { isBrokenCircuitError, isIsolatedCircuitError, isTaskCancelledError } from 'cockatiel';
import type { RetryOptions } from '../interfaces/resilience-module-options.interface';

/** An HTTP 4xx other than 408 and 429: the request was at fault, not the server. */
const isHttpClientError = (e: unknown): boolean =>
  e instanceof HttpException && e.getStatus() < 500 && ![408, 429].includes(e.getStatus());

/**
 * The caller's own fault, raised before the call reached the upstream: a tool error that says so
 * (`fault: 'caller'`), or arguments refused by validation (`INVALID_ARGUMENTS`: the pipes run
 * inside the breaker). Says nothing about the upstream's health, not even that it recovered.
 */
export const isCallerFault = (e: unknown): boolean =>
  isToolError(e) &&
  (e.fault === 'caller' || (e.fault === undefined && e.code === 'INVALID_ARGUMENTS'));

/**
 * A client fault: a caller fault, a non-retryable tool error that does not blame the upstream
 * (`fault: 'upstream'`), an HTTP 4xx. Says nothing about the tool's health.
 */
const isClientFault = (e: unknown): boolean =>
  isToolError(e)
    ? e.fault === 'caller' || (e.fault !== 'upstream' && !e.retryable)
    : isHttpClientError(e);

/** A call its client cancelled (or left) while it ran: it never told how the tool would do. */
export const isCancelled = (e: unknown): boolean => isToolError(e) && e.code === 'CANCELLED';

/** Whether an error counts against a circuit breaker: anything but client faults. */
export const countsAsFailure = (e: unknown): boolean =>
  !isClientFault(e) && !isBrokenCircuitError(e) && !isIsolatedCircuitError(e);

/**
 * The retry filter of a `@Retry()`: `on` (classes or predicate) or, by default, every error; never
 * a tool error that is not retryable (caller faults never are), an HTTP 4xx or an open circuit;
 * always a timed-out attempt.
 */
export function retryFilter(on: RetryOptions['on']): (e: unknown) => boolean {
  const chosen: (e: unknown) => boolean =
    on === undefined
      ? () => true
      : typeof on === 'function'
        ? on
        : (e) => on.some((cls) => e instanceof cls);
  return (e) => {
    if (isToolError(e) ? !e.retryable || e.fault === 'caller' : isHttpClientError(e)) return false;
    if (isBrokenCircuitError(e) || isIsolatedCircuitError(e)) return false;
    return isTaskCancelledError(e) || chosen(e);
  };
}
