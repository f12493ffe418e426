import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, lastValueFrom, map, of, retry, type Observable } from 'rxjs';
import { McpInterceptorsConsumer } from './mcp-interceptors.consumer';

const consumer = new McpInterceptorsConsumer();
const instance = { constructor: class Tools {} };
const callback = () => undefined;

async function run(interceptors: NestInterceptor[], next: () => Promise<unknown>) {
  const out = await consumer.intercept(interceptors, ['args'], instance, callback, next, 'mcp');
  return lastValueFrom(out as Observable<unknown>);
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
});
