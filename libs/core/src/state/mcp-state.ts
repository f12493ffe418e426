import { McpDefinitionError } from '../errors/mcp-definition.error';
import type { McpModuleOptions, McpStateOptions } from '../interfaces/mcp-module-options.interface';
import type { EventStore } from './event.store';
import { InMemoryEventStore } from './in-memory-event.store';
import { InMemoryNotificationBus } from './in-memory-notification.bus';
import { InMemorySessionStore } from './in-memory-session.store';
import type { NotificationBus } from './notification.bus';
import {
  createRedisClient,
  DEFAULT_STATE_COMMAND_TIMEOUT_MS,
  type RedisClientLike,
} from './redis-client';
import { RedisEventStore } from './redis-event.store';
import { RedisNotificationBus } from './redis-notification.bus';
import { RedisSessionStore } from './redis-session.store';
import { ServerChannel } from './server-channel';
import type { SessionStore } from './session.store';

/**
 * The stores and the replica channel of one server, resolved once from `McpModule` options:
 * each store given in `state` as is, the others in Redis when `state.redis` is set, else in
 * memory. Closes what it created (never a store or client the app passed).
 *
 * @example
 * ```ts
 * const state = McpState.create({ name: 'web', version: '1.0.0', state: { redis: 'redis://127.0.0.1:6379' } });
 * await state.start();
 * await state.sessions.count(); // sessions of every replica
 * await state.close();
 * ```
 */
export class McpState {
  private constructor(
    readonly sessions: SessionStore,
    readonly events: EventStore,
    readonly bus: NotificationBus,
    readonly channel: ServerChannel,
    private readonly owned: readonly (() => Promise<unknown>)[],
  ) {}

  static create(options: McpModuleOptions): McpState {
    const state = options.state ?? {};
    assertStateOptions(state, options.name);
    const redisOption = state.redis === '' ? undefined : state.redis;
    const keyPrefix = `${state.keyPrefix ?? 'rampart:'}${options.name}:`;
    const commandTimeoutMs = state.commandTimeoutMs ?? DEFAULT_STATE_COMMAND_TIMEOUT_MS;
    const owned: (() => Promise<unknown>)[] = [];
    let client: RedisClientLike | undefined;
    const redis = (): RedisClientLike => {
      if (client) return client;
      if (typeof redisOption === 'string') {
        const created = createRedisClient(redisOption, { commandTimeoutMs });
        created.on('error', () => undefined);
        owned.push(() => created.quit().catch(() => created.disconnect()));
        client = created;
      } else client = redisOption!;
      return client;
    };
    const own = <T extends object>(store: T): T => {
      const closable = store as { close?(): Promise<void> };
      owned.unshift(() => closable.close?.() ?? Promise.resolve());
      return store;
    };
    const sessions =
      state.sessions ??
      own(
        redisOption
          ? new RedisSessionStore(redis(), { keyPrefix, commandTimeoutMs })
          : new InMemorySessionStore(),
      );
    const events =
      state.events ??
      own(
        redisOption
          ? new RedisEventStore(redis(), { keyPrefix, commandTimeoutMs })
          : new InMemoryEventStore(),
      );
    const bus =
      state.bus ??
      own(
        redisOption
          ? new RedisNotificationBus(redis(), {
              keyPrefix: state.keyPrefix ?? 'rampart:',
              commandTimeoutMs,
            })
          : new InMemoryNotificationBus(),
      );
    return new McpState(sessions, events, bus, new ServerChannel(bus, options.name), owned);
  }

  /** Subscribes the replica channel to the bus (see {@link ServerChannel.start}). */
  start(timeoutMs?: number): Promise<void> {
    return this.channel.start(timeoutMs);
  }

  /** Leaves the bus, then closes the stores and the Redis client this state created. */
  async close(): Promise<void> {
    await this.channel.close();
    for (const close of this.owned) await close().catch(() => undefined);
  }
}

function assertStateOptions(state: McpStateOptions, name: string): void {
  const problems: string[] = [];
  if (typeof state !== 'object' || state === null) problems.push('"state" must be an object');
  else {
    const redis = state.redis;
    if (
      redis !== undefined &&
      typeof redis !== 'string' &&
      !(redis && typeof redis === 'object' && typeof redis.call === 'function')
    )
      problems.push('"state.redis" must be a redis:// URL or an ioredis client');
    if (typeof redis === 'string' && redis !== '' && !/^rediss?:\/\//.test(redis))
      problems.push(`"state.redis" must be a redis:// or rediss:// URL, not "${redis}"`);
    if (state.keyPrefix !== undefined && typeof state.keyPrefix !== 'string')
      problems.push('"state.keyPrefix" must be a string');
    const timeout = state.commandTimeoutMs;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0))
      problems.push('"state.commandTimeoutMs" must be a positive integer');
    const methods = {
      sessions: ['create', 'touch', 'get', 'change', 'delete', 'count'],
      events: ['append', 'streamOf', 'replayAfter', 'deleteSession'],
      bus: ['publish', 'subscribe'],
    } as const;
    for (const [key, names] of Object.entries(methods)) {
      const store = state[key as keyof typeof methods] as Record<string, unknown> | undefined;
      if (store === undefined) continue;
      const missing = names.filter((m) => typeof store?.[m] !== 'function');
      if (missing.length) problems.push(`"state.${key}" lacks ${missing.join(', ')}`);
    }
  }
  if (problems.length)
    throw new McpDefinitionError(`Invalid McpModule options for "${name}": ${problems.join('; ')}`);
}
