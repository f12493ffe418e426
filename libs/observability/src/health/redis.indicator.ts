import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_OPTIONS } from './health.constants';
import type { RedisPingable } from './health-options.interface';
import { createRedisClient, type OwnedRedis } from './redis-client.factory';
import type { ResolvedHealthOptions } from './resolve-health-options';

/**
 * Redis, by `PING` within `redisTimeoutMs`: down when it does not answer `PONG` in time.
 *
 * With `redis` a URL, the indicator creates its own ioredis client (at boot, without
 * connecting), connects it on the first check, tries again on the next check after a failure
 * (never in the background), and disconnects it at shutdown. A client of the app (`redis` an
 * object) is only ever pinged: the app opens and closes it.
 *
 * @example
 * ```ts
 * this.health.check([() => this.redis.check('redis')]);
 * ```
 */
@Injectable()
export class RedisIndicator implements OnApplicationShutdown {
  private readonly client?: RedisPingable;
  private readonly owned?: OwnedRedis;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly indicators: HealthIndicatorService,
  ) {
    const { redis } = options;
    if (typeof redis === 'string')
      this.client = this.owned = createRedisClient(redis, options.redisTimeoutMs);
    else this.client = redis;
  }

  /** Whether a Redis is configured. */
  get configured(): boolean {
    return !!this.client;
  }

  check<const Key extends string>(key: Key) {
    return this.indicators
      .check(key)
      .attempt(async () => {
        if (!this.client) return { configured: false };
        const answer = await this.ping(this.client);
        if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
      })
      .withTimeout(this.options.redisTimeoutMs);
  }

  onApplicationShutdown(): void {
    this.closed = true;
    // Only the client created from a URL is ours to close. A client whose connection already
    // ended has nothing open: disconnecting it would only start ioredis' stream-end timer.
    if (this.owned && this.owned.status !== 'end') this.owned.disconnect();
  }

  private async ping(client: RedisPingable): Promise<string> {
    const owned = this.owned;
    if (owned) {
      if (this.closed) throw new Error('The Redis health client is closed (shutting down)');
      if (owned.status === 'wait' || owned.status === 'end')
        this.connecting ??= owned.connect().finally(() => (this.connecting = undefined));
      // A check that arrives while another one connects waits for the same attempt.
      if (this.connecting) await this.connecting;
    }
    return client.ping();
  }
}
