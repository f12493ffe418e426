import type { ExecutionContext, NestInterceptor } from '@nestjs/common';

/**
 * An interceptor with a promise form for MCP handlers. Around a tool, resource or prompt
 * handler Rampart calls {@link interceptCall} instead of `intercept`, so the chain builds no
 * observables; everywhere else (HTTP controllers, microservices) Nest calls `intercept` as
 * usual, so one class serves both.
 *
 * The contract is `intercept`'s: `next()` runs the rest of the chain, the pipes and the method,
 * and runs them again on every call (a retrying interceptor calls it once per attempt). It
 * resolves to the handler's result (an observable the method returns is already flattened) and
 * rejects with its error. Interceptors of both kinds mix in one chain, in any order.
 *
 * Why it exists: measured in test/bench, turning a promise into an observable and back at each
 * stage (`defer` around the work, `lastValueFrom(next.handle())` inside it) costs a policy-heavy
 * interceptor about 3 µs of a `tools/call` over HTTP.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class AuditInterceptor implements McpCallInterceptor {
 *   intercept(context: ExecutionContext, next: CallHandler) {
 *     return next.handle(); // HTTP controllers
 *   }
 *
 *   async interceptCall(context: ExecutionContext, next: () => Promise<unknown>) {
 *     const started = Date.now();
 *     try {
 *       return await next();
 *     } finally {
 *       console.log(`${context.getHandler().name}: ${Date.now() - started} ms`);
 *     }
 *   }
 * }
 * ```
 */
export interface McpCallInterceptor extends NestInterceptor {
  /** Runs around an MCP handler; `next()` runs the rest of the chain, once per call. */
  interceptCall(context: ExecutionContext, next: () => Promise<unknown>): Promise<unknown>;
}

/** Whether `interceptor` has the promise form of {@link McpCallInterceptor}. */
export function isMcpCallInterceptor(interceptor: unknown): interceptor is McpCallInterceptor {
  return typeof (interceptor as Partial<McpCallInterceptor> | null)?.interceptCall === 'function';
}
