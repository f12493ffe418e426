import { HttpException } from '@nestjs/common';
import { isToolError } from '@rampart/core';
import { isBrokenCircuitError, isIsolatedCircuitError, isTaskCancelledError } from 'cockatiel';
import type { RetryOptions } from '../interfaces/resilience-module-options.interface';

/** A client fault (a non-retryable tool error, an HTTP 4xx): says nothing about the tool's health. */
const isClientFault = (e: unknown): boolean =>
  (isToolError(e) && !e.retryable) ||
  (e instanceof HttpException && e.getStatus() < 500 && ![408, 429].includes(e.getStatus()));

/**
 * Arguments refused by validation (the pipes run inside the breaker): the call never reached the
 * tool, so it says nothing about its health, not even that it recovered.
 */
export const isInvalidArguments = (e: unknown): boolean =>
  isToolError(e) && e.code === 'INVALID_ARGUMENTS';

/** A call its client cancelled (or left) while it ran: it never told how the tool would do. */
export const isCancelled = (e: unknown): boolean => isToolError(e) && e.code === 'CANCELLED';

/** Whether an error counts against a circuit breaker: anything but client faults. */
export const countsAsFailure = (e: unknown): boolean =>
  !isClientFault(e) && !isBrokenCircuitError(e) && !isIsolatedCircuitError(e);

/**
 * The retry filter of a `@Retry()`: `on` (classes or predicate) or, by default, every error; never
 * a non-retryable tool error or an open circuit; always a timed-out attempt.
 */
export function retryFilter(on: RetryOptions['on']): (e: unknown) => boolean {
  const chosen: (e: unknown) => boolean =
    on === undefined
      ? () => true
      : typeof on === 'function'
        ? on
        : (e) => on.some((cls) => e instanceof cls);
  return (e) => {
    if (isClientFault(e) || isBrokenCircuitError(e) || isIsolatedCircuitError(e)) return false;
    return isTaskCancelledError(e) || chosen(e);
  };
}
