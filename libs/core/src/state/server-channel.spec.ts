import type { ServerEvent } from '@modelcontextprotocol/server';
import { InMemoryNotificationBus } from './in-memory-notification.bus';
import type { NotificationBus } from './notification.bus';
import {
  currentDeliveryId,
  deliveryIdOf,
  runDelivery,
  ServerChannel,
  type SessionMessage,
} from './server-channel';

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('ServerChannel', () => {
  let bus: InMemoryNotificationBus;
  let a: ServerChannel;
  let b: ServerChannel;

  beforeEach(async () => {
    bus = new InMemoryNotificationBus();
    a = new ServerChannel(bus, 'web');
    b = new ServerChannel(bus, 'web');
    await Promise.all([a.start(), b.start()]);
  });
  afterEach(() => Promise.all([a.close(), b.close()]));

  it('delivers a change at once on its replica and through the bus on the others, under one id', async () => {
    const onA: ServerEvent[] = [];
    const onB: ServerEvent[] = [];
    a.events.subscribe((e) => onA.push(e));
    b.events.subscribe((e) => onB.push(e));
    const published = { kind: 'resource_updated', uri: 'memo://1' } as const;
    a.events.publish(published);
    expect(onA).toEqual([published]);
    await until(() => onB.length === 1);
    expect(onB).toEqual([published]);
    expect(deliveryIdOf(onA[0])).toMatch(/^[0-9a-f-]{36}$/);
    expect(deliveryIdOf(onB[0])).toBe(deliveryIdOf(onA[0]));
    // The caller's object is not tagged (callers publish shared constants).
    expect(deliveryIdOf(published)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(onA).toHaveLength(1);
  });

  it('sends session messages to the other replicas only, and ignores a channel of another server', async () => {
    const other = new ServerChannel(bus, 'another-server');
    await other.start();
    const heard: [string, SessionMessage][] = [];
    a.onSession((m) => heard.push(['a', m]));
    b.onSession((m) => heard.push(['b', m]));
    other.onSession((m) => heard.push(['other', m]));
    a.publishSession({ kind: 'session', session: 's1', change: 'closed' });
    await until(() => heard.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual([
      ['b', { kind: 'session', session: 's1', change: 'closed', from: a.replicaId }],
    ]);
    await other.close();
  });

  it('ignores malformed messages on the bus', async () => {
    const heard: unknown[] = [];
    b.events.subscribe((e) => heard.push(e));
    b.onSession((m) => heard.push(m));
    await bus.publish('web', 'not json');
    await bus.publish('web', JSON.stringify({ kind: 'event', from: 'x', id: '1', event: {} }));
    await bus.publish('web', JSON.stringify({ kind: 'unknown', from: 'x' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual([]);
  });

  it('keeps serving its own replica when the bus fails', async () => {
    const broken: NotificationBus = {
      publish: () => Promise.reject(new Error('down')),
      subscribe: () => Promise.reject(new Error('down')),
    };
    const alone = new ServerChannel(broken, 'web');
    await alone.start(50);
    const heard: ServerEvent[] = [];
    alone.events.subscribe((e) => heard.push(e));
    alone.events.publish({ kind: 'tools_list_changed' });
    expect(heard).toEqual([{ kind: 'tools_list_changed' }]);
    await alone.close();
  });
});

describe('runDelivery', () => {
  it('carries the delivery id through awaits, and only inside the delivery', async () => {
    const seen = await runDelivery('d-1', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentDeliveryId();
    });
    expect(seen).toBe('d-1');
    expect(currentDeliveryId()).toBeUndefined();
    expect(runDelivery(undefined, () => currentDeliveryId())).toBeUndefined();
  });
});
