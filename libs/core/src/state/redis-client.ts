import { createHash } from 'node:crypto';
import { releaseSettledPipelines } from './settled-pipelines';

/**
 * The part of an ioredis client that Rampart's Redis stores and bus use. An ioredis `Redis`
 * satisfies it; core never imports ioredis itself except where a URL must become a client
 * ({@link createRedisClient}), so apps that keep their state in memory need no Redis package.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = new Redis(process.env.REDIS_URL!, { socketTimeout: 1_000 });
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { redis: client } });
 * ```
 */
export interface RedisClientLike {
  /** ioredis' connection status: `wait`, `connecting`, `connect`, `ready`, `close`, `end`... */
  readonly status: string;
  /** Sends any command, as ioredis' `call`. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** Publishes `message` on `channel`; resolves with the number of receivers. */
  publish(channel: string, message: string): Promise<number>;
  /** A new connection with the same options (pub/sub needs a connection of its own). */
  duplicate(): RedisClientLike;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  /** Closes the connection once pending replies arrived. */
  quit(): Promise<unknown>;
  /** Closes the connection at once. */
  disconnect(): void;
}

/**
 * Loads an optional package on first use, or throws an error naming the package to install and
 * the feature that needs it (as terminus' `checkPackage` does).
 *
 * @example
 * ```ts
 * const ioredis = loadPackage<{ Redis: new (url: string) => unknown }>('ioredis', 'Shared MCP state');
 * ```
 */
export function loadPackage<T>(name: string, feature: string): T {
  try {
    // oxlint-disable-next-line typescript/no-require-imports -- lazy optional peer, CommonJS
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND')
      throw new Error(
        `${feature} needs the "${name}" package, which is not installed: run \`npm install ${name}\``,
        { cause: error },
      );
    throw error;
  }
}

/** Default longest wait for Redis on one command of the state stores, in milliseconds. */
export const DEFAULT_STATE_COMMAND_TIMEOUT_MS = 1_000;

/** How {@link createRedisClient} makes a client. */
export interface RedisClientOptions {
  /**
   * Longest wait for one command, in milliseconds (ioredis' `commandTimeout` and `socketTimeout`).
   * @default 1000
   */
  commandTimeoutMs?: number;
  /**
   * What needs Redis, named in the error when the `ioredis` package is missing.
   * @default 'Shared MCP state in Redis (McpModule `state.redis`)'
   */
  feature?: string;
  /** More ioredis options, over these, e.g. `{ enableOfflineQueue: false }` to fail fast. */
  ioredis?: Record<string, unknown>;
}

/**
 * Creates an ioredis client from a `redis://` URL, loading ioredis here (and only here): the one
 * place where Rampart's libs make their Redis clients. The client
 *
 * - gives up on a command after `commandTimeoutMs` (`commandTimeout`) and drops a connection that
 *   has not answered for that long (`socketTimeout`, armed only while a command waits, so an idle
 *   pub/sub connection stays), so a request meets a clear error, not a hang, while Redis is down
 *   or frozen; it queues commands while it (re)connects, and retries each once;
 * - sends the commands of one event-loop turn in one write (`enableAutoPipelining`): under load,
 *   a socket write per command costs more CPU than the commands (measured in docs/benchmarks.md).
 *   Each of those batches is emptied once answered ({@link releaseSettledPipelines}): ioredis
 *   would otherwise keep what it held alive through every minor GC.
 *
 * @example
 * ```ts
 * const client = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 1_000 });
 * await client.call('PING'); // 'PONG'
 * ```
 */
export function createRedisClient<T = RedisClientLike>(
  url: string,
  options: RedisClientOptions = {},
): T {
  const ioredis = loadPackage<{ default?: unknown; Redis?: unknown }>(
    'ioredis',
    options.feature ?? 'Shared MCP state in Redis (McpModule `state.redis`)',
  );
  const Redis = (ioredis.Redis ?? ioredis.default ?? ioredis) as new (
    url: string,
    options: object,
  ) => T;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_STATE_COMMAND_TIMEOUT_MS;
  return releaseSettledPipelines(
    new Redis(url, {
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(times * 200, 2_000),
      commandTimeout: commandTimeoutMs,
      socketTimeout: commandTimeoutMs,
      enableAutoPipelining: true,
      ...options.ioredis,
    }),
  );
}

/**
 * Rejects when `command` has not settled within `timeoutMs`: a Redis that stops answering
 * without closing its connection is down. The stores bound every command this way, whatever the
 * client's own settings (a client of the app's may have no `commandTimeout`).
 *
 * The refusal waits one turn (`setImmediate`, after the poll phase): an event loop blocked past
 * the deadline (a busy machine, a long GC) runs its timers before it reads its sockets, so an
 * answer that arrived meanwhile would otherwise lose to its own deadline.
 *
 * @example
 * ```ts
 * await withDeadline(client.call('PING'), 1_000, 'PING');
 * ```
 */
export function withDeadline<T>(
  command: Promise<T>,
  timeoutMs: number,
  what: string,
  /** The error of a command that did not answer in time (a library's own error type). */
  late: () => Error = () => new Error(`Redis did not answer ${what} within ${timeoutMs} ms`),
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(late())), timeoutMs);
    command.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}

/**
 * A Lua script run with `EVALSHA`, loaded again when Redis answers `NOSCRIPT` (after a restart or
 * `SCRIPT FLUSH`).
 *
 * @example
 * ```ts
 * const incr = new RedisScript("return redis.call('INCR', KEYS[1])");
 * await incr.run(client, ['counter'], []);
 * ```
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    client: RedisClientLike,
    keys: readonly string[],
    args: readonly (string | number)[],
    timeoutMs = DEFAULT_STATE_COMMAND_TIMEOUT_MS,
  ): Promise<unknown> {
    try {
      return await withDeadline(
        client.call('EVALSHA', this.sha, keys.length, ...keys, ...args),
        timeoutMs,
        'a script',
      );
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return withDeadline(
        client.call('EVAL', this.source, keys.length, ...keys, ...args),
        timeoutMs,
        'a script',
      );
    }
  }
}
