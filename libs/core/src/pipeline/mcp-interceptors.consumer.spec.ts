import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, isObservable, lastValueFrom, map, of, retry } from 'rxjs';
import type { McpCallInterceptor } from './mcp-call-interceptor.interface';
import { McpInterceptorsConsumer } from './mcp-interceptors.consumer';

const consumer = new McpInterceptorsConsumer();
const instance = { constructor: class Tools {} };
const callback = () => undefined;

async function run(interceptors: NestInterceptor[], next: () => Promise<unknown>) {
  const out = await consumer.intercept(interceptors, ['args'], instance, callback, next, 'mcp');
  // What Nest's ExternalContextCreator does with the consumer's answer.
  return isObservable(out) ? lastValueFrom(out) : out;
}

/** A promise-form interceptor that tags the result and records the calls it sees. */
function promised(name: string, order: string[]): McpCallInterceptor {
  return {
    intercept: () => {
      throw new Error(`${name}: intercept() must not run around an MCP handler`);
    },
    async interceptCall(context, next) {
      order.push(`${name}:${context.getType()}`);
      return `${name}(${String(await next())})`;
    },
  };
}

/** An observable-form interceptor that tags the result. */
function observed(name: string, order: string[]): NestInterceptor {
  return {
    intercept(context: ExecutionContext, next: CallHandler) {
      order.push(`${name}:${context.getType()}`);
      return next.handle().pipe(map((v) => `${name}(${String(v)})`));
    },
  };
}

describe('McpInterceptorsConsumer', () => {
  it('calls the method directly without interceptors', async () => {
    expect(await consumer.intercept([], [], instance, callback, async () => 7, 'mcp')).toBe(7);
  });

  it('runs interceptors outermost first, each around the rest, with the MCP context type', async () => {
    const order: string[] = [];
    const tag = (name: string): NestInterceptor => ({
      intercept(context: ExecutionContext, next: CallHandler) {
        order.push(`${name}:${context.getType()}`);
        return next.handle().pipe(map((v) => `${name}(${String(v)})`));
      },
    });
    const result = await run([tag('a'), tag('b')], async () => {
      order.push('method');
      return 'x';
    });
    expect(result).toBe('a(b(x))');
    expect(order).toEqual(['a:mcp', 'b:mcp', 'method']);
  });

  it('runs nothing until next.handle() is subscribed, and runs it again on every subscription', async () => {
    let calls = 0;
    const retrying: NestInterceptor = {
      intercept: (_c, next) => next.handle().pipe(retry(2)),
    };
    const handledButNotSubscribed: NestInterceptor = {
      intercept: (_c, next) => {
        next.handle();
        return of('short-circuit');
      },
    };
    expect(await run([handledButNotSubscribed], async () => ++calls)).toBe('short-circuit');
    expect(calls).toBe(0);
    const flaky = async () => {
      calls++;
      if (calls < 3) throw new Error(`attempt ${calls}`);
      return calls;
    };
    expect(await run([retrying], flaky)).toBe(3);
  });

  it('accepts async interceptors and flattens an observable the method returns', async () => {
    const asyncInterceptor: NestInterceptor = {
      intercept: async (_c, next) => next.handle().pipe(map((v) => [v])),
    };
    expect(await run([asyncInterceptor], async () => of('streamed'))).toEqual(['streamed']);
  });

  it('propagates the error of the method to the interceptors', async () => {
    const seen: unknown[] = [];
    const catching: NestInterceptor = {
      intercept: (_c, next) =>
        next.handle().pipe(
          catchError((e: unknown) => {
            seen.push(e);
            return of('recovered');
          }),
        ),
    };
    const boom = new Error('boom');
    expect(
      await run([catching], async () => {
        throw boom;
      }),
    ).toBe('recovered');
    expect(seen).toEqual([boom]);
  });

  describe('interceptors with a promise form (McpCallInterceptor)', () => {
    it('calls interceptCall, not intercept, and answers with a promise of the value', async () => {
      const order: string[] = [];
      const out = consumer.intercept(
        [promised('a', order), promised('b', order)],
        ['args'],
        instance,
        callback,
        async () => {
          order.push('method');
          return 'x';
        },
        'mcp',
      );
      const value = await out;
      expect(isObservable(value)).toBe(false);
      expect(value).toBe('a(b(x))');
      expect(order).toEqual(['a:mcp', 'b:mcp', 'method']);
    });

    it('mixes with observable interceptors in either order', async () => {
      const order: string[] = [];
      const method = async () => {
        order.push('method');
        return 'x';
      };
      expect(
        await run([observed('o1', order), promised('p', order), observed('o2', order)], method),
      ).toBe('o1(p(o2(x)))');
      expect(
        await run([promised('p1', order), observed('o', order), promised('p2', order)], method),
      ).toBe('p1(o(p2(x)))');
      expect(order).toEqual([
        'o1:mcp',
        'p:mcp',
        'o2:mcp',
        'method',
        'p1:mcp',
        'o:mcp',
        'p2:mcp',
        'method',
      ]);
    });

    it('runs the rest of the chain again on every next() and not before it', async () => {
      let calls = 0;
      const retrying: McpCallInterceptor = {
        intercept: (_c, next) => next.handle(),
        async interceptCall(_c, next) {
          for (let attempt = 1; ; attempt++)
            try {
              return await next();
            } catch (e) {
              if (attempt === 3) throw e;
            }
        },
      };
      const shortCircuit: McpCallInterceptor = {
        intercept: (_c, next) => next.handle(),
        interceptCall: () => Promise.resolve('cached'),
      };
      expect(await run([shortCircuit], async () => ++calls)).toBe('cached');
      expect(calls).toBe(0);
      const order: string[] = [];
      const flaky = async () => {
        calls++;
        if (calls < 3) throw new Error(`attempt ${calls}`);
        return calls;
      };
      // The observable stage after the retrying one runs once per attempt too.
      expect(await run([retrying, observed('o', order)], flaky)).toBe('o(3)');
      expect(order).toEqual(['o:mcp', 'o:mcp', 'o:mcp']);
    });

    it('flattens an observable the method returns, and propagates errors both ways', async () => {
      const order: string[] = [];
      expect(await run([promised('p', order)], async () => of('first', 'last'))).toBe('p(last)');
      const boom = new Error('boom');
      const seen: unknown[] = [];
      const recovering: McpCallInterceptor = {
        intercept: (_c, next) => next.handle(),
        interceptCall: (_c, next) =>
          next().catch((e: unknown) => {
            seen.push(e);
            return 'recovered';
          }),
      };
      expect(
        await run([recovering, observed('o', order)], async () => {
          throw boom;
        }),
      ).toBe('recovered');
      expect(seen).toEqual([boom]);
      await expect(
        run([observed('o', order), promised('p', order)], async () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
    });
  });
});
