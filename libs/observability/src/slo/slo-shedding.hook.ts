import { Inject, Injectable } from '@nestjs/common';
import { channel } from 'node:diagnostics_channel';
import {
  answerWithToolError,
  McpHook,
  RampartChannel,
  ToolError,
  type McpRequest,
  type McpRequestHook,
  type RejectionEvent,
} from '@rampart/core';
import { BUDGET_EXHAUSTED, SLO_OPTIONS } from './slo.constants';
import { SloTracker } from './slo.tracker';
import type { ResolvedSloOptions } from './slo-options.resolve';

const rejections = channel(RampartChannel.rejection);

/**
 * Sheds the non-critical calls of a tool whose error budget is spent: when the tool's objective
 * has `shedWhenExhausted`, one of its budgets is at or below zero over at least `minCalls` calls,
 * and `isNonCritical(request)` holds (by default `_meta['io.rampart/priority'] === 'low'`), the
 * call is answered at once with a retryable `BUDGET_EXHAUSTED` tool error whose `retryAfterMs`
 * is the time until the window next slides. Critical calls always run. A shed call does not
 * count against the tool's SLO, and is published on `rampart:rejection`.
 *
 * Runs inside the `CallRecorder` (order -500), so shed calls are recorded (`rate-limited`).
 *
 * @example
 * ```ts
 * await client.callTool({ name: 'scrape_url', arguments, _meta: { 'io.rampart/priority': 'low' } });
 * // → { isError: true, content: [{ type: 'text', text: '{"code":"BUDGET_EXHAUSTED",…,"retryable":true,"retryAfterMs":41000}' }] }
 * ```
 */
@McpHook({ order: -500 })
@Injectable()
export class SloSheddingHook implements McpRequestHook {
  constructor(
    private readonly tracker: SloTracker,
    @Inject(SLO_OPTIONS) private readonly options: ResolvedSloOptions,
  ) {}

  around(request: McpRequest, next: () => Promise<unknown>): Promise<unknown> {
    if (request.method !== 'tools/call' || !request.target) return next();
    const retryAfterMs = this.tracker.shedding(request.server, request.target);
    if (retryAfterMs === undefined || !this.options.isNonCritical(request)) return next();
    if (rejections.hasSubscribers)
      rejections.publish({
        server: request.server,
        tool: request.target,
        reason: 'budget-exhausted',
        scope: 'tool',
      } satisfies RejectionEvent);
    const error = new ToolError(
      BUDGET_EXHAUSTED,
      `The error budget of "${request.target}" is spent: low-priority calls are refused for now`,
      {
        retryable: true,
        refusal: 'throttled',
        retryAfterMs,
        suggestions: [
          'Retry after retryAfterMs',
          'Send the call without low priority if it is urgent',
        ],
      },
    );
    return Promise.resolve(answerWithToolError(request, error));
  }
}
