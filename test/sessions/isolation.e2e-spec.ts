import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { McpStateOptions } from '@rampart/core';
import {
  openSession,
  openStream,
  post,
  startReplica,
  type Replica,
  type SseEvent,
  type SseStream,
} from './sessions.fixture';
import { describeEachWith } from '../services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `test:${randomUUID()}:`;

const stores: [string, McpStateOptions][] = [
  ['memory', {}],
  ['Redis', { redis: REDIS_URL, keyPrefix }],
];

/** Every event a stream sends until it is quiet for `quietMs`. */
async function drain(stream: SseStream, quietMs = 300): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (let event = await stream.next(quietMs); event; event = await stream.next(quietMs))
    events.push(event);
  return events;
}

const uriOf = (event: SseEvent) => (event.data as { params?: { uri?: string } }).params?.uri;

/**
 * Each session's event stream is its own: resuming with `Last-Event-ID` replays the session's
 * own missed events, never another session's, whatever id the client presents.
 */
describeEachWith(stores, ([name]) => (name === 'Redis' ? 'redis' : undefined))(
  'Last-Event-ID resumption is per session (%s)',
  (store, state) => {
    let replica: Replica;

    beforeAll(async () => {
      replica = await startReplica({ state });
    });
    afterAll(async () => {
      await replica.app.close();
      if (store !== 'Redis') return;
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    });

    it("replays only the resuming session's events, and none of another session's for its id", async () => {
      const url = replica.url;
      const one = await openSession(url);
      const two = await openSession(url);
      const subscribe = (headers: Record<string, string>, uri: string) =>
        post(
          url,
          { jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri } },
          headers,
        );
      expect((await subscribe(one.headers, 'memo://one')).status).toBe(200);
      expect((await subscribe(two.headers, 'memo://two')).status).toBe(200);

      // Both GET streams see their own first update: the ids to resume from.
      const stream1 = await openStream(url, one.headers);
      const stream2 = await openStream(url, two.headers);
      replica.notifyResourceUpdated('memo://one');
      replica.notifyResourceUpdated('memo://two');
      const first1 = (await stream1.next())!;
      const first2 = (await stream2.next())!;
      expect(uriOf(first1)).toBe('memo://one');
      expect(uriOf(first2)).toBe('memo://two');
      stream1.close();
      stream2.close();
      await new Promise((r) => setTimeout(r, 50));

      // Missed by both: two updates each.
      for (let i = 0; i < 2; i++) {
        replica.notifyResourceUpdated('memo://one');
        replica.notifyResourceUpdated('memo://two');
      }
      await new Promise((r) => setTimeout(r, 50));

      const resumed = await openStream(url, { ...one.headers, 'last-event-id': first1.id! });
      expect(resumed.status).toBe(200);
      const replayed = await drain(resumed);
      resumed.close();
      expect(replayed.map(uriOf)).toEqual(['memo://one', 'memo://one']);
      expect(replayed.map((e) => e.id)).not.toContain(first2.id);

      // Session 1 presents session 2's event id: nothing of session 2 comes back.
      const stolen = await openStream(url, { ...one.headers, 'last-event-id': first2.id! });
      const leaked = stolen.status === 200 ? await drain(stolen) : [];
      stolen.close();
      expect(leaked.map(uriOf)).not.toContain('memo://two');
      // In memory, event ids are unique over sessions: the id is unknown to session 1.
      if (store === 'memory') expect(stolen.status).toBe(400);

      // Session 2 still gets its own.
      const own2 = await openStream(url, { ...two.headers, 'last-event-id': first2.id! });
      expect((await drain(own2)).map(uriOf)).toEqual(['memo://two', 'memo://two']);
      own2.close();
    });
  },
);
