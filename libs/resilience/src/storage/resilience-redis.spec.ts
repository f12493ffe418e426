import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ResilienceDefinitionError } from '../errors/resilience-definition.error';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { ResilienceRedis } from './resilience-redis';
import { itWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('ResilienceRedis', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {})));
  afterEach(() => warn.mockRestore());

  it.each([
    [
      { storage: { redis: REDIS_URL, commandTimeoutMs: 0 } },
      /storage\.commandTimeoutMs: a positive integer/,
    ],
    [{ storage: { redis: REDIS_URL, commandTimeoutMs: 1.5 } }, /storage\.commandTimeoutMs/],
    [{ storage: { redis: REDIS_URL, commandTimeoutMs: '500' } }, /storage\.commandTimeoutMs/],
    [{ storage: { redis: 42 } }, /storage\.redis: a Redis URL, an ioredis client or undefined/],
    [{ storage: 'redis' }, /option storage: 'memory' or \{ redis/],
  ])('refuses %j before creating a client', (options, message) => {
    expect(() => new ResilienceRedis(options as unknown as ResilienceModuleOptions)).toThrow(
      ResilienceDefinitionError,
    );
    expect(() => new ResilienceRedis(options as unknown as ResilienceModuleOptions)).toThrow(
      message,
    );
  });

  it('has no client with memory storage, and a default command timeout of 1 s', () => {
    for (const storage of [undefined, 'memory' as const, { redis: undefined }]) {
      const redis = new ResilienceRedis({ storage });
      expect(redis.client).toBeUndefined();
      expect(redis.commandTimeoutMs).toBe(1_000);
    }
  });

  itWith('redis')(
    'gives the client it creates the command timeout, as commandTimeout and socketTimeout',
    async () => {
      const redis = new ResilienceRedis({ storage: { redis: REDIS_URL, commandTimeoutMs: 250 } });
      try {
        expect(redis.commandTimeoutMs).toBe(250);
        expect(redis.client!.options).toMatchObject({
          commandTimeout: 250,
          socketTimeout: 250,
          enableOfflineQueue: false,
        });
        expect(warn).not.toHaveBeenCalled();
      } finally {
        await redis.onApplicationShutdown();
      }
    },
  );

  it('keeps the settings of a client of the app, and warns when it has no socketTimeout', () => {
    const bare = new Redis(REDIS_URL, { lazyConnect: true });
    const careful = new Redis(REDIS_URL, { lazyConnect: true, socketTimeout: 500 });
    try {
      expect(new ResilienceRedis({ storage: { redis: careful } }).client).toBe(careful);
      expect(warn).not.toHaveBeenCalled();
      const redis = new ResilienceRedis({ storage: { redis: bare, commandTimeoutMs: 300 } });
      expect(redis.client).toBe(bare);
      expect(bare.options.commandTimeout).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/no socketTimeout.*waits commandTimeoutMs \(300 ms\)/);
    } finally {
      bare.disconnect();
      careful.disconnect();
    }
  });

  it('does not load ioredis when the package is imported (memory storage needs none)', () => {
    const lib = resolve(__dirname, '../../dist/index.js');
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(lib)}); console.log(Object.keys(require.cache).some((f) => f.includes('/node_modules/ioredis/')))`,
    ]).toString();
    expect(loaded.trim()).toBe('false');
  });
});
