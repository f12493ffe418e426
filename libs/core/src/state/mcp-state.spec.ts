import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import { InMemoryEventStore } from './in-memory-event.store';
import { InMemoryNotificationBus } from './in-memory-notification.bus';
import { InMemorySessionStore } from './in-memory-session.store';
import { McpState } from './mcp-state';
import { RedisEventStore } from './redis-event.store';
import { RedisNotificationBus } from './redis-notification.bus';
import { RedisSessionStore } from './redis-session.store';
import { itWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const base = { name: 'web', version: '1.0.0' };

describe('McpState', () => {
  it('keeps everything in memory by default', async () => {
    const state = McpState.create(base);
    expect(state.sessions).toBeInstanceOf(InMemorySessionStore);
    expect(state.events).toBeInstanceOf(InMemoryEventStore);
    expect(state.bus).toBeInstanceOf(InMemoryNotificationBus);
    await state.start();
    await state.close();
  });

  itWith('redis')(
    'keeps everything in Redis with a URL, and closes the client it created',
    async () => {
      const state = McpState.create({ ...base, state: { redis: REDIS_URL, keyPrefix: 'spec:' } });
      expect(state.sessions).toBeInstanceOf(RedisSessionStore);
      expect(state.events).toBeInstanceOf(RedisEventStore);
      expect(state.bus).toBeInstanceOf(RedisNotificationBus);
      await state.start();
      expect(await state.sessions.count()).toBeGreaterThanOrEqual(0);
      await state.close();
    },
  );

  itWith('redis')(
    'uses the stores the app passes and never closes a client of the app',
    async () => {
      const client = new Redis(REDIS_URL);
      const sessions = new InMemorySessionStore();
      const close = jest.spyOn(sessions, 'close');
      const state = McpState.create({ ...base, state: { redis: client, sessions } });
      expect(state.sessions).toBe(sessions);
      expect(state.events).toBeInstanceOf(RedisEventStore);
      await state.start();
      await state.close();
      expect(close).not.toHaveBeenCalled();
      expect(client.status).toBe('ready');
      await client.quit();
    },
  );

  it('keeps memory with an empty URL (REDIS_URL unset in a template)', () => {
    expect(McpState.create({ ...base, state: { redis: '' } }).sessions).toBeInstanceOf(
      InMemorySessionStore,
    );
  });

  it.each([
    [{ redis: 'localhost:6379' }, /"state.redis" must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ redis: 42 }, /"state.redis" must be a redis:\/\/ URL or an ioredis client/],
    [{ sessions: { get: () => undefined } }, /"state.sessions" lacks create, touch, change/],
    [{ commandTimeoutMs: 0 }, /"state.commandTimeoutMs" must be a positive integer/],
  ])('refuses bad options at boot with a named error: %j', (state, message) => {
    let error: unknown;
    try {
      McpState.create({ ...base, state: state as never });
    } catch (e) {
      error = e;
    }
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('does not load ioredis when the core package is imported', () => {
    const core = resolve(__dirname, '../../dist/index.js');
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(core)}); console.log(Object.keys(require.cache).some((f) => f.includes('/node_modules/ioredis/')))`,
    ]).toString();
    expect(loaded.trim()).toBe('false');
  });
});
