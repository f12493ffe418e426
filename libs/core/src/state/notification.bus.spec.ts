import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { InMemoryNotificationBus } from './in-memory-notification.bus';
import type { NotificationBus } from './notification.bus';
import { createRedisClient } from './redis-client';
import { RedisNotificationBus } from './redis-notification.bus';
import {
  TestRedisServer,
  freePort,
  until as waitFor,
} from '../../../../test/resilience/redis-server';
import { describeEachWith, describeWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two replicas' buses: the same instance in memory, two connections in Redis. */
const subjects: [
  string,
  () => Promise<{ a: NotificationBus; b: NotificationBus; close: () => Promise<void> }>,
][] = [
  [
    'InMemoryNotificationBus',
    async () => {
      const bus = new InMemoryNotificationBus();
      return { a: bus, b: bus, close: async () => undefined };
    },
  ],
  [
    'RedisNotificationBus (real Redis)',
    async () => {
      const keyPrefix = `test:${randomUUID()}:`;
      const clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
      const [a, b] = clients.map((c) => new RedisNotificationBus(c, { keyPrefix }));
      return {
        a,
        b,
        close: async () => {
          await Promise.all([a.close(), b.close()]);
          await Promise.all(clients.map((c) => c.quit()));
        },
      };
    },
  ],
];

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describeEachWith(subjects, ([name]) => (name.endsWith('(real Redis)') ? 'redis' : undefined))(
  '%s',
  (_name, create) => {
    it('delivers a message to every subscriber of the channel, on every replica, and stops on unsubscribe', async () => {
      const { a, b, close } = await create();
      try {
        const onA: string[] = [];
        const onB: string[] = [];
        const onOther: string[] = [];
        const offA = await a.subscribe('web', (m) => onA.push(m));
        const offB = await b.subscribe('web', (m) => onB.push(m));
        await b.subscribe('other', (m) => onOther.push(m));
        await a.publish('web', 'hello');
        await until(() => onA.length === 1 && onB.length === 1);
        expect(onA).toEqual(['hello']);
        expect(onB).toEqual(['hello']);
        await offB();
        await a.publish('web', 'again');
        await until(() => onA.length === 2);
        await new Promise((r) => setTimeout(r, 20));
        expect(onA).toEqual(['hello', 'again']);
        expect(onB).toEqual(['hello']);
        expect(onOther).toEqual([]);
        await offA();
      } finally {
        await close();
      }
    });

    it('keeps delivering to the other listeners when one throws', async () => {
      const { a, close } = await create();
      try {
        const heard: string[] = [];
        await a.subscribe('web', () => {
          throw new Error('boom');
        });
        await a.subscribe('web', (m) => heard.push(m));
        await a.publish('web', 'x');
        await until(() => heard.length === 1);
        expect(heard).toEqual(['x']);
      } finally {
        await close();
      }
    });
  },
);

describeWith('redis')('RedisNotificationBus', () => {
  it('holds its subscriber connection only while something listens', async () => {
    const client = new Redis(REDIS_URL);
    const duplicate = jest.spyOn(client, 'duplicate');
    const bus = new RedisNotificationBus(client, { keyPrefix: `test:${randomUUID()}:` });
    try {
      const off = await bus.subscribe('web', () => undefined);
      const subscriber = duplicate.mock.results[0].value as Redis;
      expect(subscriber.status).toBe('ready');
      await off();
      await until(() => subscriber.status === 'end');
      expect(subscriber.status).toBe('end');

      const heard: string[] = [];
      const again = await bus.subscribe('web', (m) => heard.push(m));
      await bus.publish('web', 'back');
      await until(() => heard.length === 1);
      expect(heard).toEqual(['back']);
      await again();
    } finally {
      await bus.close();
      await client.quit();
    }
  });
});

describeWith('redis-server')(
  'RedisNotificationBus on a Redis that is frozen while it subscribes',
  () => {
    let server: TestRedisServer;
    let client: Redis;
    let publisher: Redis;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    beforeEach(async () => {
      server = new TestRedisServer(await freePort());
      await server.start();
      client = createRedisClient<Redis>(server.url, { commandTimeoutMs: 200 });
      publisher = new Redis(server.url);
      // Both time out while the server is frozen; what matters here is the bus.
      for (const c of [client, publisher]) c.on('error', () => undefined);
      warn.mockClear();
    });
    afterEach(async () => {
      await server.stop();
      client.disconnect();
      publisher.disconnect();
    });

    it('subscribes once Redis answers again, when its first SUBSCRIBE timed out', async () => {
      // A replica starting while Redis is frozen (or too slow to answer within the timeout).
      const bus = new RedisNotificationBus(client, { keyPrefix: 'app:', commandTimeoutMs: 200 });
      const heard: string[] = [];
      server.freeze();
      const subscribed = bus.subscribe('web', (m) => heard.push(m));
      await waitFor(() => warn.mock.calls.some(([m]) => String(m).startsWith('Cannot subscribe')));

      server.thaw();
      const off = await subscribed;
      await publisher.publish('app:bus:web', 'hello');
      await until(() => heard.length === 1);
      expect(heard).toEqual(['hello']);
      await off();
    });

    it('stops trying, and rejects, when the bus closes first', async () => {
      const bus = new RedisNotificationBus(client, { keyPrefix: 'app:', commandTimeoutMs: 200 });
      server.freeze();
      const subscribed = bus.subscribe('web', () => undefined);
      await waitFor(() => warn.mock.calls.some(([m]) => String(m).startsWith('Cannot subscribe')));
      const rejected = expect(subscribed).rejects.toThrow('The notification bus was closed');
      await bus.close();
      await rejected;
    });
  },
);
