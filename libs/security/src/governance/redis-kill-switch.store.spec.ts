import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { KillSwitch, KillSwitchStore } from './kill-switch.store';
import { isKillSwitchInputError } from './kill-switch-input.error';
import { isKillSwitchStoreUnavailableError } from './kill-switch-store-unavailable.error';
import { RedisKillSwitchStore } from './redis-kill-switch.store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const at = '2026-01-02T03:04:05.000Z';
/** Longest wait for something that should happen within moments (bounded, never a sleep). */
const LIMIT_MS = 15_000;

jest.setTimeout(60_000);

/** Resolves at the next call of `store`'s watch listeners; rejects after `LIMIT_MS`. */
function nextChange(store: KillSwitchStore): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no watch call within ${LIMIT_MS} ms`));
    }, LIMIT_MS);
    const off = store.watch(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Resolves with `store.list()` once `check` holds for it (checked now and at each watch call). */
function whenListed(
  store: KillSwitchStore,
  check: (switches: KillSwitch[]) => boolean,
): Promise<KillSwitch[]> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error, switches?: KillSwitch[]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve(switches!);
    };
    const look = () =>
      void store.list().then((switches) => check(switches) && finish(undefined, switches));
    const timer = setTimeout(
      () => finish(new Error(`the switches did not change as expected within ${LIMIT_MS} ms`)),
      LIMIT_MS,
    );
    const off = store.watch(look);
    look();
  });
}

/**
 * A TCP relay to the real Redis that can freeze (connections stay open and nothing passes: a
 * Redis that stopped answering) or cut (every connection drops and new ones are refused).
 */
class RedisRelay {
  private readonly server: Server;
  private readonly upstream = new URL(REDIS_URL);
  private readonly links = new Set<{ sockets: [Socket, Socket]; held: [Buffer[], Buffer[]] }>();
  private frozen = false;
  private refusing = false;

  constructor() {
    this.server = createServer((client) => this.relay(client));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** REDIS_URL, through the relay. */
  get url(): string {
    const url = new URL(REDIS_URL);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as { port: number }).port);
    return url.toString();
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const { sockets, held } of this.links)
      for (const side of [0, 1] as const) {
        for (const chunk of held[side].splice(0)) sockets[1 - side].write(chunk);
      }
  }

  cut(): void {
    this.refusing = true;
    for (const { sockets } of this.links) for (const socket of sockets) socket.destroy();
    this.links.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket): void {
    if (this.refusing) return void client.destroy();
    const server = connect(Number(this.upstream.port || 6379), this.upstream.hostname);
    const link = {
      sockets: [client, server] as [Socket, Socket],
      held: [[], []] as [Buffer[], Buffer[]],
    };
    this.links.add(link);
    link.sockets.forEach((socket, side) => {
      socket.on('data', (chunk: Buffer) => {
        if (this.frozen) link.held[side].push(chunk);
        else link.sockets[1 - side].write(chunk);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.links.delete(link);
        for (const other of link.sockets) other.destroy();
      });
    });
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('RedisKillSwitchStore (real Redis)', () => {
  const prefixes: string[] = [];
  const stores: RedisKillSwitchStore[] = [];
  let raw: Redis;

  /** A replica's store with its own connections, on a prefix of this run. */
  const replica = (keyPrefix: string, url = REDIS_URL, commandTimeoutMs = 5_000) => {
    const store = new RedisKillSwitchStore(url, { keyPrefix, commandTimeoutMs });
    stores.push(store);
    return store;
  };
  const newPrefix = () => {
    const prefix = `test:${randomUUID()}:kill-switches`;
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(() => {
    raw = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    if (prefixes.length > 0) await raw.del(...prefixes);
    await raw.quit();
  });

  it('throws, replaces, lists and clears switches, and list() sees a change at once', async () => {
    const prefix = newPrefix();
    const store = replica(prefix);
    expect(await store.list()).toEqual([]);
    await store.set({
      server: 'web',
      target: 'file:///a/b?c',
      reason: 'incident 42',
      by: 'alice',
      at,
    });
    expect(await store.list()).toEqual([
      { server: 'web', target: 'file:///a/b?c', reason: 'incident 42', by: 'alice', at },
    ]);
    await store.set({ server: 'web', at });
    await store.set({ server: 'web', target: 'file:///a/b?c', at });
    expect(await store.list()).toEqual([
      { server: 'web', at },
      { server: 'web', target: 'file:///a/b?c', at },
    ]);

    // The format other tools may read: one hash, field `server` or `server` NUL `target`.
    expect(await raw.hgetall(prefix)).toEqual({
      web: JSON.stringify({ server: 'web', at }),
      'web\u0000file:///a/b?c': JSON.stringify({ server: 'web', target: 'file:///a/b?c', at }),
    });

    expect(await store.clear('web')).toBe(true);
    expect(await store.clear('web')).toBe(false);
    expect(await store.list()).toEqual([{ server: 'web', target: 'file:///a/b?c', at }]);
  });

  it('refuses malformed switches, naming the field, before reaching Redis', async () => {
    const prefix = newPrefix();
    const store = replica(prefix);
    const error: unknown = await store
      .set({ server: 'web\u0000x', at } as KillSwitch)
      .catch((e: unknown) => e);
    expect(isKillSwitchInputError(error) && error.field).toBe('server');
    const cleared: unknown = await store.clear('web', '').catch((e: unknown) => e);
    expect(isKillSwitchInputError(cleared) && cleared.field).toBe('target');
    expect(await raw.exists(prefix)).toBe(0);
  });

  it('two replicas: a switch thrown on one is listed by the other and calls its listeners; so is clearing it', async () => {
    const prefix = newPrefix();
    const a = replica(prefix);
    const b = replica(prefix);
    const elsewhere = replica(newPrefix());
    expect(await b.list()).toEqual([]);
    expect(await elsewhere.list()).toEqual([]);
    const elsewhereCalls: number[] = [];
    elsewhere.watch(() => elsewhereCalls.push(1));

    const thrown = nextChange(b);
    await a.set({ server: 'web', target: 'delete_page', reason: 'incident 42', by: 'alice', at });
    await thrown;
    expect(await b.list()).toEqual([
      { server: 'web', target: 'delete_page', reason: 'incident 42', by: 'alice', at },
    ]);

    const restored = nextChange(b);
    expect(await a.clear('web', 'delete_page')).toBe(true);
    await restored;
    expect(await b.list()).toEqual([]);

    // And the other way round, a whole server.
    const thrownOnB = nextChange(a);
    await b.set({ server: 'web', at });
    await thrownOnB;
    expect(await a.list()).toEqual([{ server: 'web', at }]);

    // A replica that shares nothing with them heard nothing.
    expect(await elsewhere.list()).toEqual([]);
    expect(elsewhereCalls).toEqual([]);
  });

  it('calls its own listeners once per change made on it', async () => {
    const store = replica(newPrefix());
    await store.list();
    const calls: number[] = [];
    store.watch(() => calls.push(1));
    const changed = nextChange(store);
    await store.set({ server: 'web', at });
    await changed;
    // Its own announcement comes back and reloads the same switches: no second call for it.
    const cleared = nextChange(store);
    await store.clear('web');
    await cleared;
    expect(calls).toEqual([1, 1]);
  });

  it('loads the switches already thrown, and keeps a record it cannot read thrown', async () => {
    const prefix = newPrefix();
    await raw.hset(prefix, 'web', JSON.stringify({ server: 'web', reason: 'from before', at }));
    const store = replica(prefix);
    expect(await store.list()).toEqual([{ server: 'web', reason: 'from before', at }]);

    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const changed = nextChange(store);
    await raw.hset(prefix, 'web\u0000broken', '{not json');
    await raw.publish(`${prefix}:changes`, '{}');
    await changed;
    expect(await store.list()).toEqual([
      { server: 'web', reason: 'from before', at },
      { server: 'web', target: 'broken', at: new Date(0).toISOString() },
    ]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('web broken'));
  });

  it('uses a client it is given, subscribing on a duplicate, and leaves the client open', async () => {
    const prefix = newPrefix();
    const client = new Redis(REDIS_URL);
    try {
      const store = new RedisKillSwitchStore(client, { keyPrefix: prefix });
      stores.push(store);
      const other = replica(prefix);
      await store.list();
      const changed = nextChange(store);
      await other.set({ server: 'web', at });
      await changed;
      expect(await store.list()).toEqual([{ server: 'web', at }]);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('an unreachable Redis: list() answers the last known switches (none), changes are refused, nothing crashes', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const store = replica(newPrefix(), `redis://127.0.0.1:${await unusedPort()}`, 300);
    store.watch(() => undefined);
    expect(await store.list()).toEqual([]);
    expect(await store.list()).toEqual([]);
    const setError: unknown = await store.set({ server: 'web', at }).catch((e: unknown) => e);
    expect(isKillSwitchStoreUnavailableError(setError)).toBe(true);
    const clearError: unknown = await store.clear('web').catch((e: unknown) => e);
    expect(isKillSwitchStoreUnavailableError(clearError)).toBe(true);
    expect(await store.list()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Redis unavailable for kill switches'),
    );
  });

  it('loads ioredis only when created from a URL (the memory store needs no package)', () => {
    const dist = resolve(__dirname, '../../dist/governance');
    const files = ['redis-kill-switch.store.js', 'kill-switch-admin.mount.js'].map((file) =>
      JSON.stringify(resolve(dist, file)),
    );
    const loaded = execFileSync(process.execPath, [
      '-e',
      `${files.map((file) => `require(${file});`).join(' ')} console.log(Object.keys(require.cache).some((f) => f.includes('/node_modules/ioredis/')))`,
    ]).toString();
    expect(loaded.trim()).toBe('false');
  });

  describe('through a relay', () => {
    let relay: RedisRelay;

    beforeEach(async () => {
      relay = new RedisRelay();
      await relay.start();
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await relay.close();
    });

    it('a frozen Redis: list() keeps answering the last snapshot, changes fail within the command timeout, and it catches up after', async () => {
      const prefix = newPrefix();
      const a = replica(prefix, relay.url, 1_000);
      const b = replica(prefix);
      await a.set({ server: 'web', target: 'x', at });
      await b.list();

      relay.freeze();
      expect(await a.list()).toEqual([{ server: 'web', target: 'x', at }]);
      const setError: unknown = await a.set({ server: 'web', at }).catch((e: unknown) => e);
      expect(isKillSwitchStoreUnavailableError(setError)).toBe(true);
      const clearError: unknown = await a.clear('web', 'x').catch((e: unknown) => e);
      expect(isKillSwitchStoreUnavailableError(clearError)).toBe(true);
      expect(await a.list()).toEqual([{ server: 'web', target: 'x', at }]);

      relay.thaw();
      expect(await b.clear('web', 'x')).toBe(true);
      await whenListed(a, (switches) => !switches.some((kill) => kill.target === 'x'));
    });

    it('frozen at boot: the first list() answers no switches, and the switches appear once Redis answers', async () => {
      const prefix = newPrefix();
      await raw.hset(prefix, 'web', JSON.stringify({ server: 'web', at }));
      relay.freeze();
      const a = replica(prefix, relay.url, 500);
      expect(await a.list()).toEqual([]);
      relay.thaw();
      expect(await whenListed(a, (switches) => switches.length === 1)).toEqual([
        { server: 'web', at },
      ]);
    });

    it('a lost connection: what changed meanwhile is loaded when it is back', async () => {
      const prefix = newPrefix();
      const a = replica(prefix, relay.url, 1_000);
      const b = replica(prefix);
      await a.set({ server: 'web', target: 'x', at });
      await b.list();

      relay.cut();
      await b.set({ server: 'web', target: 'y', at });
      expect(await b.clear('web', 'x')).toBe(true);
      expect(await a.list()).toEqual([{ server: 'web', target: 'x', at }]);

      relay.restore();
      expect(
        await whenListed(a, (switches) => switches.length === 1 && switches[0].target === 'y'),
      ).toEqual([{ server: 'web', target: 'y', at }]);
    });
  });
});
