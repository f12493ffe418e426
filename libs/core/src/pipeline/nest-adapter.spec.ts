// What this spec pins is what Rampart assumes of Nest where Nest has no public way (see
// nest-adapter.ts). A Nest release that changes it fails here, before any user's boot does.
import {
  Injectable,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { APP_INTERCEPTOR, ExternalContextCreator } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { map } from 'rxjs';
import { Args } from '../decorators/params.decorator';
import { Tool } from '../decorators/tool.decorator';
import { isUnsupportedNestError } from '../errors/unsupported-nest.error';
import { McpModule } from '../mcp.module';
import { McpServers } from '../mcp-servers.service';
import type { McpContext } from '../context/mcp-context';
import type { McpCallInterceptor } from './mcp-call-interceptor.interface';
import { McpInterceptorsConsumer } from './mcp-interceptors.consumer';
import {
  CREATOR_PARAMETERS,
  assertInterceptorsRunThrough,
  mcpContextCreator,
  nestCoreVersion,
} from './nest-adapter';

const order: string[] = [];
/** The execution contexts of the last call: Nest's (the guard's) and Rampart's (an interceptor's). */
const contexts: { guard?: ExecutionContext; interceptor?: ExecutionContext } = {};

/** What a guard or an interceptor can read of an execution context. */
function readable(context: ExecutionContext) {
  // Each host is read as soon as it is switched to: Nest's switches reuse one object.
  const rpc = context.switchToRpc();
  const fromRpc = [rpc.getData(), rpc.getContext()];
  const http = context.switchToHttp();
  const fromHttp = [http.getRequest(), http.getResponse(), http.getNext()];
  const ws = context.switchToWs();
  const fromWs = [ws.getClient(), ws.getData(), ws.getPattern()];
  return {
    type: context.getType(),
    class: context.getClass(),
    handler: context.getHandler(),
    args: context.getArgs(),
    byIndex: [0, 1, 2].map((i) => context.getArgByIndex(i)),
    rpc: fromRpc,
    http: fromHttp,
    ws: fromWs,
  };
}

@Injectable()
class OrderGuard implements CanActivate {
  canActivate(context: ExecutionContext) {
    contexts.guard = context;
    order.push(`guard:${context.getType()}`);
    return true;
  }
}

/** An observable-form interceptor that records itself and tags the result. */
function tagging(name: string): new () => NestInterceptor {
  @Injectable()
  class Tagging implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler) {
      order.push(`${name}:${context.getType()}:${context.getClass().name}`);
      return next.handle().pipe(map((v) => `${name}(${String(v)})`));
    }
  }
  return Tagging;
}

/** A promise-form interceptor: only Rampart's consumer calls `interceptCall`. */
@Injectable()
class GlobalInterceptor implements McpCallInterceptor {
  intercept(): never {
    throw new Error("Nest's consumer ran around an MCP handler");
  }
  async interceptCall(context: ExecutionContext, next: () => Promise<unknown>) {
    contexts.interceptor = context;
    order.push(`global:${context.getType()}:${context.getHandler().name}`);
    return `global(${String(await next())})`;
  }
}

const ClassInterceptor = tagging('class');
const MethodInterceptor = tagging('method');

@Injectable()
class OrderPipe implements PipeTransform {
  transform(value: unknown) {
    order.push('pipe');
    return value;
  }
}

@Injectable()
@UseInterceptors(ClassInterceptor)
class Tools {
  @Tool({ name: 'ordered' })
  @UseGuards(OrderGuard)
  @UseInterceptors(MethodInterceptor)
  @UsePipes(OrderPipe)
  ordered(@Args() args: { text: string }) {
    order.push('method');
    return args.text;
  }
}

describe('the Nest adapter', () => {
  let module: TestingModule;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'adapter', version: '1.0.0', http: false })],
      providers: [Tools, { provide: APP_INTERCEPTOR, useClass: GlobalInterceptor }],
    }).compile();
    await module.init();
  });

  afterAll(() => module.close());

  beforeEach(() => (order.length = 0));

  it("finds ExternalContextCreator's constructor and parts as it assumes", () => {
    expect(ExternalContextCreator.length).toBe(CREATOR_PARAMETERS.length);
    const app = module.get(ExternalContextCreator) as unknown as Record<string, unknown>;
    for (const { name, methods } of CREATOR_PARAMETERS)
      for (const method of methods)
        expect([name, typeof (app[name] as never)?.[method]]).toEqual([name, 'function']);
    expect(() =>
      mcpContextCreator(module.get(ExternalContextCreator), new McpInterceptorsConsumer()),
    ).not.toThrow();
  });

  it("runs a tool's guards, then its interceptors (global, class, method) through Rampart's consumer, then pipes and the method", async () => {
    const intercept = jest.spyOn(McpInterceptorsConsumer.prototype, 'intercept');
    try {
      const tool = module.get(McpServers).get('adapter').registry.tools.get('ordered')!;
      const ctx = {} as McpContext;
      const result = await tool.invoke({ text: 'x' }, ctx);
      expect(result).toBe('global(class(method(x)))');
      expect(order).toEqual([
        'guard:mcp',
        'global:mcp:ordered',
        'class:mcp:Tools',
        'method:mcp:Tools',
        'pipe',
        'method',
      ]);
      expect(intercept).toHaveBeenCalledTimes(1);
      const [interceptors] = intercept.mock.calls[0];
      expect(interceptors.map((i) => i.constructor)).toEqual([
        GlobalInterceptor,
        ClassInterceptor,
        MethodInterceptor,
      ]);
      // Interceptors read the call as the guard (Nest's own execution context) does.
      expect(readable(contexts.interceptor!)).toEqual(readable(contexts.guard!));
      expect(readable(contexts.interceptor!)).toMatchObject({
        type: 'mcp',
        class: Tools,
        handler: Object.getOwnPropertyDescriptor(Tools.prototype, 'ordered')!.value,
        args: [{ text: 'x' }, ctx],
      });
    } finally {
      intercept.mockRestore();
    }
  });

  it('checks at boot that a bound handler calls the consumer it was given', async () => {
    await expect(
      assertInterceptorsRunThrough(module.get(ExternalContextCreator)),
    ).resolves.toBeUndefined();
  });

  it('fails naming the installed Nest version when a part is missing or the constructor changed', () => {
    const app = module.get(ExternalContextCreator);
    const version = () => '99.1.0';
    const failure = (creator: ExternalContextCreator): Error => {
      try {
        mcpContextCreator(creator, new McpInterceptorsConsumer(), version);
      } catch (e) {
        expect(isUnsupportedNestError(e)).toBe(true);
        return e as Error;
      }
      throw new Error('mcpContextCreator did not fail');
    };
    // The same parts but one, as a plain object.
    const withoutPipes = Object.fromEntries(
      Object.entries(app).filter(([name]) => name !== 'pipesConsumer'),
    ) as unknown as ExternalContextCreator;
    expect(failure(withoutPipes).message).toMatch(/@nestjs\/core 99\.1\.0: .*no "pipesConsumer"/);
    const length = Object.getOwnPropertyDescriptor(ExternalContextCreator, 'length')!;
    Object.defineProperty(ExternalContextCreator, 'length', { ...length, value: 9 });
    try {
      expect(failure(app).message).toMatch(/99\.1\.0: .*constructor takes 9 parameters, not the 8/);
    } finally {
      Object.defineProperty(ExternalContextCreator, 'length', length);
    }
    expect(nestCoreVersion()).toBe(
      (require('@nestjs/core/package.json') as { version: string }).version,
    );
  });

  it('fails naming the installed Nest version when a bound handler does not call the consumer', async () => {
    const create = jest
      .spyOn(ExternalContextCreator.prototype, 'create')
      .mockImplementation(() => () => Promise.resolve('probe'));
    try {
      await expect(
        assertInterceptorsRunThrough(module.get(ExternalContextCreator), () => '99.2.0'),
      ).rejects.toThrow(/@nestjs\/core 99\.2\.0: .*does not call the interceptors consumer/);
    } finally {
      create.mockRestore();
    }
  });
});
