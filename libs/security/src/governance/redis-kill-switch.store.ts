import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createRedisClient, withDeadline, type RedisClientLike } from '@rampart/core';
import type { KillSwitch, KillSwitchStore } from './kill-switch.store';
import {
  checkKillSwitchKey,
  killSwitchField,
  normalizeKillSwitch,
  parseKillSwitchField,
  sortedCopies,
} from './kill-switch-fields';
import {
  KILL_SWITCH_RECORD_UNREADABLE,
  KILL_SWITCH_REDIS_DOWN,
} from './kill-switch-messages.constant';
import { KillSwitchListeners } from './kill-switch-listeners';
import { KillSwitchStoreUnavailableError } from './kill-switch-store-unavailable.error';

/** Default Redis key of the hash that holds the switches. */
export const DEFAULT_KILL_SWITCH_REDIS_KEY = 'rampart:kill-switches';

/** Default longest wait for Redis on one command of {@link RedisKillSwitchStore}, in milliseconds. */
export const DEFAULT_KILL_SWITCH_COMMAND_TIMEOUT_MS = 1_000;

/** Options of {@link RedisKillSwitchStore}. */
export interface RedisKillSwitchStoreOptions {
  /**
   * Where the switches live: the hash `<keyPrefix>` (field `server`, or `server` NUL `target`;
   * value the switch as JSON), with changes announced on the channel `<keyPrefix>:changes`.
   * Replicas that share switches use the same prefix.
   * @default 'rampart:kill-switches'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds. Past it `set()` and `clear()` fail
   * with a `KillSwitchStoreUnavailableError`, and `list()` serves the last switches it knew.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

// The write and its announcement in one step: no replica can miss a change that was made.
const SET_SCRIPT = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;
const CLEAR_SCRIPT = `local cleared = redis.call('HDEL', KEYS[1], ARGV[1])
if cleared > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return cleared`;

/** How long after a failed reload the store tries again, in milliseconds. */
const RETRY_AFTER_MS = 2_000;

/** A record whose JSON cannot be read stays thrown (a kill switch fails closed), from this date. */
const UNKNOWN_DATE = new Date(0).toISOString();

/**
 * Kill switches in Redis, shared by every replica. The switches are one hash; each change is
 * announced on a pub/sub channel (in the same script as the write), and every replica keeps a
 * snapshot that it reloads on each announcement and on each (re)connection of its subscriber, so
 * `list()` answers from memory, and `watch` listeners of every replica are called moments after a
 * change on any of them. `set()` and `clear()` update this replica's snapshot as soon as Redis has
 * answered, so a `list()` right after them sees the change.
 *
 * Give it a `redis://` URL (the store creates its client, loading `ioredis` then, and closes it
 * on shutdown) or an ioredis client of your own (never closed here). Either way the store
 * subscribes on a connection of its own (`client.duplicate()`). Every command is bounded by
 * `commandTimeoutMs`. While Redis is down or frozen, `list()` serves the last switches it knew
 * (after a warning in the log), and `set()` and `clear()` reject with a
 * `KillSwitchStoreUnavailableError`; the snapshot is reloaded when the connection is back.
 *
 * @example
 * ```ts
 * const store = new RedisKillSwitchStore(process.env.REDIS_URL!, { keyPrefix: 'web:kill-switches' });
 * SecurityModule.forRoot({ governance: { killSwitch: store } });
 * // or: new RedisKillSwitchStore(new Redis(url, { commandTimeout: 1_000, socketTimeout: 1_000 }))
 * ```
 */
export class RedisKillSwitchStore implements KillSwitchStore, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RedisKillSwitchStore');
  private readonly client: RedisClientLike;
  private readonly owned: boolean;
  private readonly hashKey: string;
  private readonly channel: string;
  private readonly timeoutMs: number;
  private readonly listeners = new KillSwitchListeners(this.logger);
  private snapshot = new Map<string, KillSwitch>();
  private signature = '[]';
  private subscriber?: RedisClientLike;
  private started?: Promise<void>;
  private firstLoadDone = false;
  private refreshing?: Promise<void>;
  private refreshAgain = false;
  private subscribeNeeded = true;
  private retryTimer?: NodeJS.Timeout;
  private down = false;
  private closed = false;

  constructor(redis: string | RedisClientLike, options: RedisKillSwitchStoreOptions = {}) {
    const prefix = options.keyPrefix ?? DEFAULT_KILL_SWITCH_REDIS_KEY;
    this.hashKey = prefix;
    this.channel = `${prefix}:changes`;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_KILL_SWITCH_COMMAND_TIMEOUT_MS;
    if (typeof redis !== 'string') {
      this.client = redis;
      this.owned = false;
      return;
    }
    // ioredis is loaded only when switches live in Redis: the memory store needs no package.
    const client = createRedisClient<import('ioredis').Redis>(redis, {
      commandTimeoutMs: this.timeoutMs,
      feature: 'Kill switches in Redis (SecurityModule `governance.killSwitch.redis`)',
    });
    client.on('error', (e: Error) => this.warnDown(e.message));
    this.client = client as unknown as RedisClientLike;
    this.owned = true;
  }

  /**
   * Every switch thrown, from this replica's snapshot. The first call waits for the first load
   * (at most the command timeout); later calls never wait for Redis.
   */
  async list(): Promise<KillSwitch[]> {
    await this.firstLoad();
    return sortedCopies(this.snapshot.values());
  }

  /**
   * Throws a switch on every replica.
   *
   * @throws KillSwitchInputError when a field is missing or malformed
   * @throws KillSwitchStoreUnavailableError when Redis is down or does not answer in time
   */
  async set(kill: KillSwitch): Promise<void> {
    const copy = normalizeKillSwitch(kill);
    void this.start();
    const field = killSwitchField(copy.server, copy.target);
    await this.run(
      'EVAL',
      SET_SCRIPT,
      1,
      this.hashKey,
      field,
      JSON.stringify(copy),
      this.channel,
      this.announcement('set', field),
    );
    this.snapshot.set(field, copy);
    this.snapshotChanged();
  }

  /**
   * Restores service on every replica; whether the switch was thrown.
   *
   * @throws KillSwitchInputError when `server` or `target` is malformed
   * @throws KillSwitchStoreUnavailableError when Redis is down or does not answer in time
   */
  async clear(server: string, target?: string): Promise<boolean> {
    checkKillSwitchKey(server, target);
    void this.start();
    const field = killSwitchField(server, target);
    const cleared = Number(
      await this.run(
        'EVAL',
        CLEAR_SCRIPT,
        1,
        this.hashKey,
        field,
        this.channel,
        this.announcement('clear', field),
      ),
    );
    if (this.snapshot.delete(field)) this.snapshotChanged();
    return cleared > 0;
  }

  watch(listener: () => void): () => void {
    void this.start();
    return this.listeners.add(listener);
  }

  /** Subscribes and loads the switches, so that the first requests already see them. */
  async onModuleInit(): Promise<void> {
    await this.firstLoad();
  }

  /**
   * Ends the subscription and forgets the listeners; closes the client the store created from a
   * URL (a client that was given stays open). Waits for Redis at most the command timeout.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const connections = [this.subscriber, this.owned ? this.client : undefined];
    this.subscriber = undefined;
    await Promise.all(
      connections.map(async (connection) => {
        if (!connection) return;
        await within(
          connection.quit().catch(() => undefined),
          this.timeoutMs,
        );
        connection.disconnect();
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Starts the subscription and the first load, once. */
  private start(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.started) return this.started;
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', (e: Error) => this.warnDown(e.message));
    subscriber.on('message', (channel: string) => {
      if (channel === this.channel) void this.refresh();
    });
    // After a reconnection ioredis subscribes again by itself; subscribing once more tells when
    // that is done, and the reload that follows picks up what changed while the link was down.
    subscriber.on('ready', () => {
      this.subscribeNeeded = true;
      void this.refresh();
    });
    return (this.started = this.refresh());
  }

  /** Waits for the first load, at most the command timeout, once. */
  private async firstLoad(): Promise<void> {
    if (this.firstLoadDone) return;
    await within(this.start(), this.timeoutMs);
    this.firstLoadDone = true;
  }

  /**
   * Reloads the snapshot; a reload asked for while one runs runs again after it (the running one
   * may have read the hash before the change it is asked for). A reload that fails is tried again
   * later, until one works: the snapshot never stays stale for good after a lost reply. Never
   * rejects.
   */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        let loaded: boolean;
        do {
          this.refreshAgain = false;
          loaded = await this.refreshOnce();
        } while (loaded && this.refreshAgain && !this.closed);
        if (!loaded) this.retryLater();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Schedules one more reload, unless one is scheduled already or the store is closed. */
  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, RETRY_AFTER_MS);
    this.retryTimer.unref();
  }

  /** One reload (subscribing first when the subscriber is new or reconnected); whether it worked. */
  private async refreshOnce(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const subscriber = this.subscriber;
      if (this.subscribeNeeded && subscriber) {
        this.subscribeNeeded = false;
        try {
          await withDeadline(subscriber.subscribe(this.channel), this.timeoutMs, 'SUBSCRIBE');
        } catch (e) {
          this.subscribeNeeded = true;
          throw e;
        }
      }
      const flat = (await this.run('HGETALL', this.hashKey)) as string[] | null;
      if (this.closed) return false;
      const next = new Map<string, KillSwitch>();
      // HGETALL through `call` answers a flat list: field, value, field, value…
      for (let i = 0; i + 1 < (flat?.length ?? 0); i += 2)
        next.set(flat![i], this.parse(flat![i], flat![i + 1]));
      this.snapshot = next;
      this.down = false;
      this.snapshotChanged();
      return true;
    } catch (e) {
      this.warnDown((e as Error)?.message ?? String(e));
      return false;
    }
  }

  /** Calls the listeners (in a microtask) when the snapshot differs from the last one. */
  private snapshotChanged(): void {
    const signature = JSON.stringify(sortedCopies(this.snapshot.values()));
    if (signature === this.signature) return;
    this.signature = signature;
    this.listeners.notify();
  }

  /** A stored switch; the field, not the JSON, says what is switched off. */
  private parse(field: string, raw: string): KillSwitch {
    const { server, target } = parseKillSwitchField(field);
    let stored: Partial<KillSwitch> | undefined;
    try {
      const value: unknown = JSON.parse(raw);
      if (value && typeof value === 'object') stored = value as Partial<KillSwitch>;
    } catch {
      stored = undefined;
    }
    if (!stored) this.logger.warn(KILL_SWITCH_RECORD_UNREADABLE(field));
    return {
      server,
      ...(target === undefined ? {} : { target }),
      ...(typeof stored?.reason === 'string' ? { reason: stored.reason } : {}),
      ...(typeof stored?.by === 'string' ? { by: stored.by } : {}),
      at: typeof stored?.at === 'string' ? stored.at : UNKNOWN_DATE,
    };
  }

  private announcement(op: 'set' | 'clear', field: string): string {
    return JSON.stringify({ op, ...parseKillSwitchField(field) });
  }

  private warnDown(problem: string): void {
    if (this.closed || this.down) return;
    this.down = true;
    this.logger.warn(KILL_SWITCH_REDIS_DOWN(problem));
  }

  /** One command, bounded by the command timeout; any failure is the store being unavailable. */
  private async run(command: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await withDeadline(this.client.call(command, ...args), this.timeoutMs, command);
    } catch (e) {
      throw new KillSwitchStoreUnavailableError((e as Error)?.message ?? String(e), e);
    }
  }
}

/** Waits for `work` to settle, at most `timeoutMs`; never rejects. */
async function within(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]).finally(() => clearTimeout(timer));
}
