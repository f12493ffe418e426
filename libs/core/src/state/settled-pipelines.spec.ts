import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisClient } from './redis-client';
import { releaseSettledPipelines } from './settled-pipelines';
import { describeWith } from '../../../../test/services';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The ioredis internals the workaround reads, as a test sees them. */
type Pipeline = ReturnType<Redis['pipeline']> & Record<string, unknown>;

/** Records every pipeline `client.pipeline()` makes (auto-pipelining's included). */
function recordPipelines(client: Redis): Pipeline[] {
  const made: Pipeline[] = [];
  const pipeline = client.pipeline.bind(client);
  client.pipeline = (...args: Parameters<Redis['pipeline']>) => {
    const p = pipeline(...args) as Pipeline;
    made.push(p);
    return p;
  };
  return made;
}

describe('ioredis pipelines, as releaseSettledPipelines finds them', () => {
  // This fails once ioredis stops defining `length` on each pipeline (its getter is what keeps a
  // settled pipeline alive through minor GCs): then releaseSettledPipelines can go.
  it('still define their `length` getter on each instance, with the fields it empties', () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      const pipeline = client.pipeline() as Pipeline;
      expect(typeof Object.getOwnPropertyDescriptor(pipeline, 'length')?.get).toBe('function');
      for (const field of ['_queue', '_result', 'promise', 'resolve', 'reject'])
        expect(pipeline).toHaveProperty(field);
    } finally {
      client.disconnect();
    }
  });

  it('leaves a client without pipelines as it is', () => {
    const client = { call: () => Promise.resolve('PONG') };
    expect(releaseSettledPipelines(client)).toBe(client);
    expect(Object.keys(client)).toEqual(['call']);
  });
});

describeWith('redis')('releaseSettledPipelines on a real Redis', () => {
  let client: Redis;
  let made: Pipeline[];
  const key = (name: string) => `settled-pipelines-test:${randomUUID()}:${name}`;

  beforeEach(() => {
    client = createRedisClient<Redis>(REDIS_URL);
    made = recordPipelines(client);
  });
  afterEach(() => client.disconnect());

  it('empties an auto-pipelined batch once its replies are handed out, replies intact', async () => {
    const k = key('batch');
    const replies = Promise.all([
      client.call('SET', k, '41'),
      client.call('INCR', k),
      client.call('GET', k),
    ]);
    // One batch for the turn's three commands, holding them until Redis answers.
    expect(made).toHaveLength(1);
    expect(made[0].length).toBe(3);

    expect(await replies).toEqual(['OK', 42, '42']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(made[0].length).toBe(0);
    expect(made[0]._result).toEqual([]);
    await client.call('DEL', k);
  });

  it('answers each caller of a batch with its own reply or error', async () => {
    const text = key('text');
    await client.call('SET', text, 'not a number');
    const [incr, get] = await Promise.allSettled([
      client.call('INCR', text),
      client.call('GET', text),
    ]);
    expect(incr).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/not an integer/) },
    });
    expect(get).toEqual({ status: 'fulfilled', value: 'not a number' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(made.at(-1)!.length).toBe(0);
    await client.call('DEL', text);
  });

  it('serves an explicit pipeline as ioredis does, and answers [] when it is executed again', async () => {
    const k = key('explicit');
    const pipeline = client.pipeline().set(k, '1').incr(k).get(k);
    expect(pipeline.length).toBe(3);
    expect(await pipeline.exec()).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pipeline.length).toBe(0);
    expect(await pipeline.exec()).toEqual([]);
    await client.call('DEL', k);
  });
});
