import type { InputRequests } from '@modelcontextprotocol/server';

const BRAND = Symbol.for('rampart.InputRequiredSignal');

/**
 * Thrown by {@link McpContext.elicit} and friends on a 2026-07-28 request when the client has not
 * answered yet: the call ends with an `input_required` result and the client calls again with
 * the answers. Not an error: never catch it in a tool.
 */
export class InputRequiredSignal {
  readonly [BRAND] = true;
  constructor(readonly inputRequests: InputRequests) {}
}

export const isInputRequiredSignal = (e: unknown): e is InputRequiredSignal =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
