import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_OPTIONS, HEALTH_REDIS } from './health.constants';
import type { RedisPingable } from './health-options.interface';
import type { ResolvedHealthOptions } from './resolve-health-options';

/** A Redis client the health part created itself, and so closes. */
export interface OwnedRedis extends RedisPingable {
  disconnect(): void;
}

/**
 * Redis, by `PING` within `redisTimeoutMs`: down when it does not answer `PONG` in time.
 *
 * @example
 * ```ts
 * this.health.check([() => this.redis.check('redis')]);
 * ```
 */
@Injectable()
export class RedisIndicator implements OnApplicationShutdown {
  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(HEALTH_REDIS) private readonly redis?: RedisPingable,
  ) {}

  /** Whether a Redis is configured. */
  get configured(): boolean {
    return !!this.redis;
  }

  check<const Key extends string>(key: Key) {
    const redis = this.redis;
    return this.indicators
      .check(key)
      .attempt(async () => {
        if (!redis) return { configured: false };
        const answer = await redis.ping();
        if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
      })
      .withTimeout(this.options.redisTimeoutMs);
  }

  onApplicationShutdown(): void {
    // Only a client created from a URL is ours to close. It only ever sends PING, so nothing is
    // lost by disconnecting at once (`quit()` would wait forever for a Redis that is down).
    if (typeof this.options.redis !== 'string' || !this.redis) return;
    (this.redis as OwnedRedis).disconnect();
  }
}
