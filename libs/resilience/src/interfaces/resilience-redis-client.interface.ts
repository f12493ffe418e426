/**
 * The part of an ioredis client that the Redis storages of `@rampart/resilience` use. An ioredis
 * `Redis` satisfies it. The lib loads ioredis only where a URL must become a client, and its
 * public types do not name it, so an app with memory storage needs neither ioredis nor its types.
 *
 * Rate limits run on rate-limiter-flexible's `RateLimiterRedis`, which drives the client as an
 * ioredis client (`defineCommand`, `multi`): give an ioredis `Redis` (or `Cluster`), not another
 * library's client.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 *
 * const client: ResilienceRedisClient = new Redis(process.env.REDIS_URL!, { socketTimeout: 1_000 });
 * ResilienceModule.forRoot({ storage: { redis: client } });
 * ```
 */
export interface ResilienceRedisClient {
  /** ioredis' connection status: `wait`, `connecting`, `connect`, `ready`, `close`, `end`... */
  readonly status: string;
  /** The options the client was created with; a boot warning names a missing `socketTimeout`. */
  readonly options?: { readonly socketTimeout?: number };
  get(key: string): Promise<string | null>;
  /** `SET key value PX ttlMs NX`: `'OK'` when set, `null` when the key exists. */
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
  /** `SET key value PX ttlMs`. */
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
  del(key: string): Promise<number>;
  eval(script: string, numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /** Defines a Lua command on the client (rate-limiter-flexible's `rlflxIncr`). */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** A transaction (rate-limiter-flexible's fallback when no command is defined). */
  multi(): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  /** Closes the connection once pending replies arrived. */
  quit(): Promise<unknown>;
  /** Closes the connection at once. */
  disconnect(): void;
}
