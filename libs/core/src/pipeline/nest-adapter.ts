import { ExternalContextCreator, ModulesContainer } from '@nestjs/core';
import { UNSUPPORTED_NEST } from '../errors/messages.constant';
import { UnsupportedNestError } from '../errors/unsupported-nest.error';
import type { McpInterceptorsConsumer } from './mcp-interceptors.consumer';

/**
 * The one place where Rampart relies on Nest beyond its public API.
 *
 * MCP handlers are bound to Nest's pipeline by the public `ExternalContextCreator.create()`, with
 * their own context type, as `@nestjs/graphql` binds resolvers. What Nest offers no public way to
 * do is to run their interceptors through another consumer (Rampart's is leaner, see
 * `mcp-interceptors.consumer.ts`): the consumer is a constructor parameter of
 * `ExternalContextCreator`, and the other parameters (guards, pipes, filters context creators and
 * consumers, bound to the app's container) can only be had from the app's own creator, which
 * keeps each under its parameter's name. So this file builds a second creator with Nest's public
 * constructor: the app's parts, Rampart's consumer. The app's creator, which other libraries
 * share, is left as it is.
 *
 * Both assumptions are checked when the app boots, and a failure names the installed
 * `@nestjs/core` version ({@link UnsupportedNestError}), never falling back silently:
 * {@link mcpContextCreator} checks the constructor's parameters and the parts, and
 * {@link assertInterceptorsRunThrough} that a handler bound by the new creator does call the
 * consumer. `nest-adapter.spec.ts` pins the same facts and the order of the pipeline.
 */

/** What `ExternalContextCreator.create()` calls on its interceptors consumer. */
export type InterceptorsRunner = Pick<McpInterceptorsConsumer, 'intercept'>;

type CreatorParameters = ConstructorParameters<typeof ExternalContextCreator>;

/**
 * The parameters of `ExternalContextCreator`'s constructor, in order, and the methods its
 * `create()` calls on each; the app's creator holds each under the parameter's name.
 */
export const CREATOR_PARAMETERS: readonly { name: string; methods: readonly string[] }[] = [
  { name: 'guardsContextCreator', methods: ['create'] },
  { name: 'guardsConsumer', methods: ['tryActivate'] },
  { name: 'interceptorsContextCreator', methods: ['create'] },
  { name: 'interceptorsConsumer', methods: ['intercept'] },
  { name: 'modulesContainer', methods: ['get', 'entries'] },
  { name: 'pipesContextCreator', methods: ['create', 'createConcreteContext', 'setModuleContext'] },
  { name: 'pipesConsumer', methods: ['apply'] },
  { name: 'filtersContextCreator', methods: ['create'] },
];

const position = (name: string) => CREATOR_PARAMETERS.findIndex((p) => p.name === name);
/** Where Rampart's consumer goes. */
const CONSUMER = position('interceptorsConsumer');
const MODULES = position('modulesContainer');

/** The installed `@nestjs/core` version, for error messages. */
export function nestCoreVersion(): string {
  try {
    return (require('@nestjs/core/package.json') as { version: string }).version;
  } catch {
    return '(unknown version)';
  }
}

/**
 * An `ExternalContextCreator` whose handlers run their interceptors through `consumer`, built
 * from the parts of the app's creator `app` (injected: `ExternalContextCreator` is a provider of
 * every Nest app).
 *
 * @throws UnsupportedNestError when the installed Nest's creator is not built as expected.
 *
 * @example
 * ```ts
 * constructor(appCreator: ExternalContextCreator) {
 *   this.creator = mcpContextCreator(appCreator, new McpInterceptorsConsumer());
 * }
 * ```
 */
export function mcpContextCreator(
  app: ExternalContextCreator,
  consumer: InterceptorsRunner,
  version: () => string = nestCoreVersion,
): ExternalContextCreator {
  const fail = (problem: string): never => {
    throw new UnsupportedNestError(UNSUPPORTED_NEST(version(), problem));
  };
  if (ExternalContextCreator.length !== CREATOR_PARAMETERS.length)
    fail(
      `ExternalContextCreator's constructor takes ${ExternalContextCreator.length} parameters, not the ${CREATOR_PARAMETERS.length} Rampart passes (${CREATOR_PARAMETERS.map((p) => p.name).join(', ')})`,
    );
  const held = app as unknown as Record<string, unknown>;
  const parts = CREATOR_PARAMETERS.map(({ name, methods }) => {
    const part = held[name] as Record<string, unknown> | undefined;
    const missing = methods.filter((m) => typeof part?.[m] !== 'function');
    if (!part || typeof part !== 'object' || missing.length)
      fail(
        `the app's ExternalContextCreator has no "${name}"${part ? ` with ${missing.map((m) => `${m}()`).join(', ')}` : ''}`,
      );
    return part;
  });
  if (!(parts[MODULES] instanceof ModulesContainer))
    fail(`the app's ExternalContextCreator holds no ModulesContainer as "modulesContainer"`);
  parts[CONSUMER] = consumer as unknown as Record<string, unknown>;
  return new ExternalContextCreator(...(parts as unknown as CreatorParameters));
}

/** What the boot check binds: a method with no metadata, in no module. */
class Probe {
  run(this: void): string {
    return 'probe';
  }
}

/**
 * Checks that a handler bound by a creator that {@link mcpContextCreator} builds runs its
 * interceptors through the consumer given: a handler (no guards, interceptors, pipes or filters
 * of its own, so nothing of the app runs) is bound with a recording consumer and called once.
 *
 * @throws UnsupportedNestError when the consumer was not called.
 */
export async function assertInterceptorsRunThrough(
  app: ExternalContextCreator,
  version: () => string = nestCoreVersion,
): Promise<void> {
  let seen = false;
  const recording: InterceptorsRunner = {
    intercept: (_interceptors, _args, _instance, _callback, next) => {
      seen = true;
      return next();
    },
  };
  const probe = new Probe();
  const handler = mcpContextCreator(app, recording, version).create(
    probe,
    probe.run,
    'run',
    undefined,
    undefined,
    undefined,
    undefined,
    { guards: false, interceptors: true, filters: false },
    'rampart-probe',
  );
  const result: unknown = await handler();
  if (!seen || result !== 'probe')
    throw new UnsupportedNestError(
      UNSUPPORTED_NEST(
        version(),
        seen
          ? `a handler bound through Rampart's consumer answered ${JSON.stringify(result)}, not what its method returned`
          : 'a handler bound by ExternalContextCreator does not call the interceptors consumer it was given',
      ),
    );
}
