import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EventStore } from './event.store';
import { InMemoryEventStore } from './in-memory-event.store';
import { RedisEventStore } from './redis-event.store';
import { describeEachWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GET = '_GET_stream';
const ttl = { ttlMs: 60_000 };

const subjects: [string, () => Promise<{ store: EventStore; close: () => Promise<void> }>][] = [
  [
    'InMemoryEventStore',
    async () => {
      const store = new InMemoryEventStore({ maxEventsPerSession: 5 });
      return { store, close: () => store.close() };
    },
  ],
  [
    'RedisEventStore (real Redis)',
    async () => {
      const client = new Redis(REDIS_URL);
      const keyPrefix = `test:${randomUUID()}:`;
      return {
        store: new RedisEventStore(client, { keyPrefix, maxEventsPerSession: 5 }),
        close: async () => {
          const keys = await client.keys(`${keyPrefix}*`);
          if (keys.length) await client.del(...keys);
          await client.quit();
        },
      };
    },
  ],
];

const note = (uri: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/resources/updated',
  params: { uri },
});

describeEachWith(subjects, ([name]) => (name.endsWith('(real Redis)') ? 'redis' : undefined))(
  '%s',
  (_name, create) => {
    let store: EventStore;
    let close: () => Promise<void>;

    beforeEach(async () => ({ store, close } = await create()));
    afterEach(() => close());

    async function replay(session: string, after: string) {
      const sent: [string, JSONRPCMessage][] = [];
      const stream = await store.replayAfter(
        session,
        after,
        async (id, m) => void sent.push([id, m]),
      );
      return { stream, sent };
    }

    it("replays a session's own events of the resumed stream, in order, and nothing else", async () => {
      const first = await store.append('s1', GET, note('one://1'), ttl);
      await store.append('s2', GET, note('two://1'), ttl);
      await store.append('s1', 'post-stream', note('one://post'), ttl);
      const second = await store.append('s1', GET, note('one://2'), ttl);
      await store.append('s2', GET, note('two://2'), ttl);
      const third = await store.append('s1', GET, note('one://3'), ttl);

      expect(await store.streamOf('s1', first)).toBe(GET);
      const { stream, sent } = await replay('s1', first);
      expect(stream).toBe(GET);
      expect(sent).toEqual([
        [second, note('one://2')],
        [third, note('one://3')],
      ]);
    });

    it("never sends another session's events, whatever event id a client presents", async () => {
      await store.append('s1', GET, note('one://1'), ttl);
      const theirs = await store.append('s2', GET, note('two://1'), ttl);
      await store.append('s1', GET, note('one://2'), ttl);
      await store.append('s2', GET, note('two://2'), ttl);
      // The id may name an event of s1 too (ids are per session): then s1's own events follow.
      const { sent } = await replay('s1', theirs);
      for (const [, message] of sent)
        expect((message as unknown as { params: { uri: string } }).params.uri).toMatch(/^one:/);
      expect(await store.streamOf('s1', 'not-an-id')).toBeUndefined();
      expect(await replay('s1', 'not-an-id')).toEqual({ stream: undefined, sent: [] });
      expect(await replay('s3', theirs)).toEqual({ stream: undefined, sent: [] });
    });

    it('stores a change once per session however many replicas deliver it', async () => {
      const a = await store.append('s1', GET, note('x://1'), { ...ttl, dedupeKey: 'change-1' });
      const b = await store.append('s1', GET, note('x://1'), { ...ttl, dedupeKey: 'change-1' });
      const other = await store.append('s2', GET, note('x://1'), { ...ttl, dedupeKey: 'change-1' });
      expect(b).toBe(a);
      expect(await store.streamOf('s2', other)).toBe(GET);
      const before = await store.append('s1', GET, note('x://0'), ttl);
      await store.append('s1', GET, note('x://2'), { ...ttl, dedupeKey: 'change-2' });
      await store.append('s1', GET, note('x://2'), { ...ttl, dedupeKey: 'change-2' });
      expect((await replay('s1', before)).sent.map(([, m]) => m)).toEqual([note('x://2')]);
    });

    it('keeps a bounded number of events per session and forgets a deleted session', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await store.append('s1', GET, note(`n://${i}`), ttl));
      // The newest stay; Redis trims approximately (whole nodes), memory exactly.
      expect(await store.streamOf('s1', ids[11])).toBe(GET);
      expect((await replay('s1', ids[10])).sent).toHaveLength(1);
      await store.deleteSession('s1');
      expect(await store.streamOf('s1', ids[11])).toBeUndefined();
    });
  },
);

describe('InMemoryEventStore', () => {
  it('numbers events across sessions, so that an id of another session is unknown', async () => {
    const store = new InMemoryEventStore();
    await store.append('s1', GET, note('one://1'), ttl);
    const theirs = await store.append('s2', GET, note('two://1'), ttl);
    expect(await store.streamOf('s1', theirs)).toBeUndefined();
    await store.close();
  });

  it('drops the oldest events over all sessions past maxEvents', async () => {
    const store = new InMemoryEventStore({ maxEvents: 3 });
    const a1 = await store.append('a', GET, note('a://1'), ttl);
    const b1 = await store.append('b', GET, note('b://1'), ttl);
    await store.append('a', GET, note('a://2'), ttl);
    await store.append('b', GET, note('b://2'), ttl);
    expect(await store.streamOf('a', a1)).toBeUndefined();
    expect(await store.streamOf('b', b1)).toBe(GET);
    await store.close();
  });

  it("expires a session's events with its idle TTL", async () => {
    let now = 0;
    const store = new InMemoryEventStore({ now: () => now });
    const id = await store.append('a', GET, note('a://1'), { ttlMs: 1_000 });
    now = 999;
    expect(await store.streamOf('a', id)).toBe(GET);
    now = 1_000;
    expect(await store.streamOf('a', id)).toBeUndefined();
    await store.close();
  });
});
