import { loadPackage } from '@rampart/core';
import type { RedisPingable } from './health-options.interface';

/**
 * The ioredis client the health part creates from a `redis://` URL, and so owns and closes: the
 * part of ioredis' `Redis` that the Redis indicator uses.
 */
export interface OwnedRedis extends RedisPingable {
  /** ioredis' connection status: `wait`, `connecting`, `connect`, `ready`, `close`, `end`... */
  readonly status: string;
  /** Opens the connection; rejects when it cannot be opened. */
  connect(): Promise<void>;
  /** Closes the connection at once, without waiting for pending replies. */
  disconnect(): void;
}

/**
 * Creates the ioredis client of the Redis indicator from a URL, without connecting: it connects
 * on the first check, and never reconnects by itself (`retryStrategy` returns `null`), so a
 * Redis that is down leaves no reconnect loop running between checks; the next check tries
 * again. A Redis that stops answering without closing the connection is down too: a command
 * gives up after `timeoutMs` (`commandTimeout`) and the connection is dropped
 * (`socketTimeout`), so that no `PING` stays pending and the next check connects afresh.
 * Connection errors surface as a down `redis` indicator, never as an unhandled `error` event.
 * `ioredis` is loaded here, with an error naming the package when it is missing.
 *
 * @example
 * ```ts
 * const client = createRedisClient('redis://127.0.0.1:6379', 1_000);
 * await client.connect();
 * await client.ping(); // 'PONG'
 * client.disconnect();
 * ```
 */
export function createRedisClient(url: string, timeoutMs: number): OwnedRedis {
  const ioredis = loadPackage<{ default?: unknown }>('ioredis', 'The Redis health indicator');
  const Redis = (ioredis.default ?? ioredis) as new (
    url: string,
    options: object,
  ) => OwnedRedis & { on(event: 'error', listener: (e: Error) => void): void };
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(timeoutMs, 100),
    commandTimeout: Math.max(timeoutMs, 100),
    socketTimeout: Math.max(timeoutMs, 100),
    // It only ever sends PING: nothing is lost by not waiting for the socket to end gracefully.
    disconnectTimeout: Math.max(timeoutMs, 100),
  });
  client.on('error', () => undefined);
  return client;
}
