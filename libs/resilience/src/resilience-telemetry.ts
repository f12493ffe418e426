import { channel } from 'node:diagnostics_channel';
import {
  RampartChannel,
  type BreakerStateEvent,
  type RejectionEvent,
  type RetryEvent,
} from '@rampart/core';

const rejections = channel(RampartChannel.rejection);
const breakerStates = channel(RampartChannel.breakerState);
const retries = channel(RampartChannel.retry);

/** Why `@rampart/resilience` refuses a call, as published on `rampart:rejection`. */
export type ResilienceRejectionReason =
  'rate-limit' | 'overloaded' | 'bulkhead' | 'circuit-open' | 'timeout' | 'idempotency-conflict';

/** Publishes a refusal on `rampart:rejection` (one `hasSubscribers` check when nobody listens). */
export function publishRejection(
  event: RejectionEvent & { reason: ResilienceRejectionReason },
): void {
  if (rejections.hasSubscribers) rejections.publish(event);
}

/** Publishes a breaker transition on `rampart:breaker-state`. */
export function publishBreakerState(event: BreakerStateEvent): void {
  if (breakerStates.hasSubscribers) breakerStates.publish(event);
}

/** Publishes a scheduled retry on `rampart:retry`. */
export function publishRetry(event: RetryEvent): void {
  if (retries.hasSubscribers) retries.publish(event);
}
