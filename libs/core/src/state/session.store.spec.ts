import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { InMemorySessionStore } from './in-memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import type { SessionRecord, SessionStore } from './session.store';
import { describeEachWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A store under test, its clock and its cleanup. */
interface Subject {
  store: SessionStore;
  advance(ms: number): void;
  close(): Promise<void>;
}

function clock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const subjects: [string, () => Promise<Subject>][] = [
  [
    'InMemorySessionStore',
    async () => {
      const time = clock();
      const store = new InMemorySessionStore({ now: time.now });
      return { store, advance: time.advance, close: () => store.close() };
    },
  ],
  [
    'RedisSessionStore (real Redis)',
    async () => {
      const time = clock();
      const client = new Redis(REDIS_URL);
      const keyPrefix = `test:${randomUUID()}:`;
      const store = new RedisSessionStore(client, { keyPrefix, now: time.now });
      return {
        store,
        // Redis expires keys by its own clock: the records carry TTLs long enough for the test,
        // and the indexes (by expiry time) follow the store's clock.
        advance: time.advance,
        close: async () => {
          const keys = await client.keys(`${keyPrefix}*`);
          if (keys.length) await client.del(...keys);
          await client.quit();
        },
      };
    },
  ],
];

const limits = { maxSessions: 3, maxSessionsPerClient: 2 };

describeEachWith(subjects, ([name]) => (name.endsWith('(real Redis)') ? 'redis' : undefined))(
  '%s',
  (_name, create) => {
    let subject: Subject;
    let store: SessionStore;
    let time = 1_700_000_000_000;

    const record = (id: string, clientKey = 'ip:10.0.0.1', extra: Partial<SessionRecord> = {}) =>
      ({
        id,
        clientKey,
        protocolVersion: '2025-11-25',
        clientInfo: { name: 'client', version: '1.0.0' },
        clientCapabilities: { elicitation: {} },
        subscriptions: [],
        createdAt: time,
        lastSeen: time,
        idleTtlMs: 60_000,
        revision: 1,
        ...extra,
      }) satisfies SessionRecord;

    beforeEach(async () => {
      subject = await create();
      store = subject.store;
      time = 1_700_000_000_000;
    });
    afterEach(() => subject.close());

    it('keeps what a replica needs to rebuild the session, and hands out copies', async () => {
      const opened = record('s1', 'sub:alice', { subject: 'alice' });
      expect(await store.create(opened, limits)).toEqual({ opened: true });
      const read = await store.get('s1');
      expect(read).toEqual(opened);
      read!.subscriptions.push('mutated://');
      expect((await store.get('s1'))!.subscriptions).toEqual([]);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('records subscriptions and the log level, counting revisions', async () => {
      await store.create(record('s1'), limits);
      await store.change('s1', { subscribe: 'a://1' });
      await store.change('s1', { subscribe: 'b://2' });
      await store.change('s1', { subscribe: 'a://1' });
      await store.change('s1', { unsubscribe: 'b://2' });
      const changed = await store.change('s1', { logLevel: 'warning' });
      expect(changed).toMatchObject({ subscriptions: ['a://1'], logLevel: 'warning', revision: 6 });
      expect(await store.get('s1')).toEqual(changed);
      expect(await store.change('gone', { logLevel: 'debug' })).toBeUndefined();
    });

    it('refuses a client at its cap while another client still opens, and caps the total', async () => {
      expect(await store.create(record('a1', 'ip:10.0.0.1'), limits)).toEqual({ opened: true });
      expect(await store.create(record('a2', 'ip:10.0.0.1'), limits)).toEqual({ opened: true });
      expect(await store.create(record('a3', 'ip:10.0.0.1'), limits)).toEqual({
        opened: false,
        limit: 'client',
        open: 2,
      });
      expect(await store.create(record('b1', 'ip:10.0.0.2'), limits)).toEqual({ opened: true });
      expect(await store.create(record('c1', 'ip:10.0.0.3'), limits)).toEqual({
        opened: false,
        limit: 'server',
        open: 3,
      });
      expect(await store.count()).toBe(3);
      expect(await store.count('ip:10.0.0.1')).toBe(2);
      // Ending a session frees its slot.
      expect(await store.delete('a1')).toBe(true);
      expect(await store.delete('a1')).toBe(false);
      expect(await store.get('a1')).toBeUndefined();
      expect(await store.create(record('a3', 'ip:10.0.0.1'), limits)).toEqual({ opened: true });
    });

    it('expires idle sessions out of the caps; touching one keeps it', async () => {
      await store.create(record('a1'), limits);
      await store.create(record('a2'), limits);
      subject.advance(40_000);
      const touched = await store.touch('a1');
      expect(touched?.lastSeen).toBe(1_700_000_040_000);
      subject.advance(30_000);
      // a2 was idle for 70 s (past its 60 s), a1 for 30 s.
      time = 1_700_000_070_000;
      expect(await store.create(record('a3'), limits)).toEqual({ opened: true });
      expect(await store.count('ip:10.0.0.1')).toBe(2);
      expect(await store.create(record('a4'), limits)).toMatchObject({ opened: false });
    });
  },
);

describe('InMemorySessionStore', () => {
  it('forgets an idle session on access', async () => {
    let now = 0;
    const store = new InMemorySessionStore({ now: () => now });
    await store.create(
      {
        id: 's',
        clientKey: 'k',
        protocolVersion: '2025-11-25',
        clientInfo: { name: 'c', version: '1' },
        clientCapabilities: {},
        subscriptions: [],
        createdAt: 0,
        lastSeen: 0,
        idleTtlMs: 1_000,
        revision: 1,
      },
      limits,
    );
    now = 999;
    expect(await store.touch('s')).toBeDefined();
    now = 1_998;
    expect(await store.get('s')).toBeDefined();
    now = 1_999;
    expect(await store.touch('s')).toBeUndefined();
    expect(await store.count()).toBe(0);
    await store.close();
  });
});
