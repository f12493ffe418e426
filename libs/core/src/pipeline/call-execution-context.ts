import type { ExecutionContext, Type } from '@nestjs/common';

type HttpHost = ReturnType<ExecutionContext['switchToHttp']>;
type RpcHost = ReturnType<ExecutionContext['switchToRpc']>;
type WsHost = ReturnType<ExecutionContext['switchToWs']>;

/**
 * The `ExecutionContext` that the interceptors of an MCP handler receive: the handler's
 * arguments (`[args, McpContext]`), its class and method, and the context type (`'mcp'`). It
 * answers as Nest's own execution context does (Nest's is not part of its public API), so a
 * guard and an interceptor of the same call read the same values.
 *
 * @example
 * ```ts
 * const context = new CallExecutionContext([args, ctx], Tools, Tools.prototype.search, 'mcp');
 * context.getArgByIndex(1); // ctx
 * ```
 */
export class CallExecutionContext implements ExecutionContext {
  constructor(
    private readonly args: unknown[],
    private readonly classRef: Type,
    // Nest hands handlers over as `Function`.
    // oxlint-disable-next-line typescript/no-unsafe-function-type
    private readonly handler: Function,
    private readonly type: string,
  ) {}

  getType<TContext extends string = string>(): TContext {
    return this.type as TContext;
  }

  getClass<T = unknown>(): Type<T> {
    return this.classRef as Type<T>;
  }

  // oxlint-disable-next-line typescript/no-unsafe-function-type
  getHandler(): Function {
    return this.handler;
  }

  getArgs<T extends unknown[] = unknown[]>(): T {
    return this.args as T;
  }

  getArgByIndex<T = unknown>(index: number): T {
    return this.args[index] as T;
  }

  switchToRpc(): RpcHost {
    return {
      getData: <T>() => this.args[0] as T,
      getContext: <T>() => this.args[1] as T,
    };
  }

  switchToHttp(): HttpHost {
    return {
      getRequest: <T>() => this.args[0] as T,
      getResponse: <T>() => this.args[1] as T,
      getNext: <T>() => this.args[2] as T,
    };
  }

  switchToWs(): WsHost {
    return {
      getClient: <T>() => this.args[0] as T,
      getData: <T>() => this.args[1] as T,
      getPattern: () => this.args[this.args.length - 1] as string,
    };
  }
}
