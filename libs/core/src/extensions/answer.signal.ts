import type { McpExtensionResult } from './mcp-extension.interface';

const BRAND = Symbol.for('rampart.AnswerSignal');

/**
 * Thrown by code on a call's path (its handler, an interceptor, a helper of a library) to end the
 * call with a result made elsewhere: the dispatcher awaits `answer()` and answers what it
 * resolves to as the call's result, without the checks of the method's own result shape (e.g. a
 * task handle in answer to `tools/call`). When `answer()` rejects, the call is answered with that
 * protocol error (an `McpProtocolError`; anything else as an internal error). Not an error: never
 * catch it in a tool.
 *
 * @example
 * ```ts
 * throw new AnswerSignal(() => this.tasks.create(ctx));
 * ```
 */
export class AnswerSignal {
  readonly [BRAND] = true;
  constructor(readonly answer: () => Promise<McpExtensionResult>) {}
}

/** Whether `e` is an {@link AnswerSignal}. */
export const isAnswerSignal = (e: unknown): e is AnswerSignal =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
