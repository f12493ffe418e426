import { HealthIndicatorService } from '@nestjs/terminus';
import { createHook, type AsyncHook } from 'node:async_hooks';
import type { RedisPingable } from './health-options.interface';
import { RedisIndicator } from './redis.indicator';
import { resolveHealthOptions } from './resolve-health-options';
import type { HealthOptions } from './health-options.interface';
import { itWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens on port 1: connections are refused at once. */
const DOWN_URL = 'redis://127.0.0.1:1';

/**
 * Timers and sockets that ioredis creates and that are still open: what would keep the process
 * (and Jest) alive. Tracked from `start()` on, by the stack that created them.
 */
class IoredisResources {
  private readonly live = new Map<number, string>();
  private readonly hook: AsyncHook = createHook({
    init: (id, type) => {
      if (!['Timeout', 'Immediate', 'TCPWRAP', 'TCPCONNECTWRAP'].includes(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (stack.includes('ioredis')) this.live.set(id, type);
    },
    destroy: (id) => this.live.delete(id),
  });

  start(): this {
    this.hook.enable();
    return this;
  }

  stop(): void {
    this.hook.disable();
  }

  /** Types of the resources still open. */
  open(): string[] {
    return [...this.live.values()];
  }

  /** Waits (up to `withinMs`) until none is open; returns those still open. */
  async settled(withinMs = 500): Promise<string[]> {
    const end = Date.now() + withinMs;
    while (this.live.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return this.open();
  }
}

const indicator = (options: HealthOptions) =>
  new RedisIndicator(resolveHealthOptions(options), new HealthIndicatorService());

describe('RedisIndicator', () => {
  let resources: IoredisResources;
  beforeEach(() => (resources = new IoredisResources().start()));
  afterEach(() => resources.stop());

  it('is down for a Redis that refuses connections, and leaves no reconnect loop behind', async () => {
    // The default timeout (1 s) is also ioredis' socket-end grace here: longer than settled() waits.
    const redis = indicator({ redis: DOWN_URL });
    expect(await redis.check('redis')).toMatchObject({ redis: { status: 'down' } });
    // No timer or socket stays open between checks (a reconnect loop would keep adding timers).
    expect(await resources.settled()).toEqual([]);
    // The next check tries again, and fails again.
    expect(await redis.check('redis')).toMatchObject({ redis: { status: 'down' } });
    redis.onApplicationShutdown();
    expect(await resources.settled()).toEqual([]);
  });

  itWith('redis')(
    'connects on the first check and closes the client it created at shutdown',
    async () => {
      const redis = indicator({ redis: REDIS_URL });
      expect(resources.open()).toEqual([]); // nothing is opened at boot
      expect(await redis.check('redis')).toMatchObject({ redis: { status: 'up' } });
      expect(await redis.check('redis')).toMatchObject({ redis: { status: 'up' } });
      expect(resources.open()).toContain('TCPWRAP');
      redis.onApplicationShutdown();
      expect(await resources.settled()).toEqual([]);
      // After shutdown it does not reconnect.
      expect(await redis.check('redis')).toMatchObject({ redis: { status: 'down' } });
      expect(await resources.settled()).toEqual([]);
    },
  );

  itWith('redis')('shares one connection attempt between concurrent checks', async () => {
    const redis = indicator({ redis: REDIS_URL });
    const results = await Promise.all([redis.check('redis'), redis.check('redis')]);
    expect(results).toMatchObject([{ redis: { status: 'up' } }, { redis: { status: 'up' } }]);
    expect(resources.open().filter((t) => t === 'TCPWRAP')).toHaveLength(1);
    redis.onApplicationShutdown();
    expect(await resources.settled()).toEqual([]);
  });

  it('only pings a client of the app, and never closes it', async () => {
    class AppClient implements RedisPingable {
      pings = 0;
      disconnect = jest.fn();
      quit = jest.fn();
      ping(): Promise<string> {
        this.pings++;
        return Promise.resolve('PONG');
      }
    }
    const client = new AppClient();
    const redis = indicator({ redis: client });
    expect(await redis.check('redis')).toMatchObject({ redis: { status: 'up' } });
    redis.onApplicationShutdown();
    expect(client.pings).toBe(1);
    expect(client.disconnect).not.toHaveBeenCalled();
    expect(client.quit).not.toHaveBeenCalled();
  });

  it('is down when the answer is not PONG, or when it takes longer than redisTimeoutMs', async () => {
    const wrong = indicator({ redis: { ping: () => Promise.resolve('LOADING') } });
    expect(await wrong.check('redis')).toMatchObject({
      redis: { status: 'down', message: 'PING answered LOADING' },
    });
    const slow = indicator({
      redis: { ping: () => new Promise<string>(() => undefined) },
      redisTimeoutMs: 20,
    });
    expect(await slow.check('redis')).toMatchObject({ redis: { status: 'down' } });
  });

  it('is not configured without redis', () => {
    expect(indicator({}).configured).toBe(false);
    expect(indicator({ redis: { ping: () => Promise.resolve('PONG') } }).configured).toBe(true);
  });
});
