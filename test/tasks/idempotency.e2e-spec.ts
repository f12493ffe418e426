import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisClientLike } from '@rampart/core';
import { IDEMPOTENCY_META_KEY } from '@rampart/resilience';
import {
  InMemoryTaskStore,
  RedisTaskStore,
  type TaskIdempotency,
  type TaskRecord,
} from '@rampart/tasks';
import type { McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { journal, startReplica, TasksWireClient, until } from './tasks.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type CallAnswer = {
  resultType?: string;
  taskId?: string;
  status?: string;
  isError?: boolean;
  content?: { text: string }[];
  structuredContent?: { taskId: string; status: string };
};

const alice = { 'x-user': 'alice', 'x-tenant': 't1' };
const mallory = { 'x-user': 'mallory', 'x-tenant': 't1' };
const aliceOfT2 = { 'x-user': 'alice', 'x-tenant': 't2' };
const admin = { 'x-user': 'root', 'x-tenant': 't1', 'x-scopes': 'tasks:admin' };

/** `charge` with `amount`, under the idempotency key `key` (in `_meta`). */
const charge = (client: TasksWireClient, amount: number, key: string) =>
  client.request('tools/call', {
    name: 'charge',
    arguments: { amount },
    _meta: { [IDEMPOTENCY_META_KEY]: key },
  }) as Promise<CallAnswer>;

/** The task id a call answered, as the extension (`CreateTaskResult`) or as a handle. */
const taskIdOf = (answer: CallAnswer) => answer.taskId ?? answer.structuredContent?.taskId;

/** The structured tool error of an `isError` result. */
const toolError = (answer: CallAnswer) =>
  answer.isError
    ? (JSON.parse(answer.content![0].text) as { code: string; retryable?: boolean })
    : undefined;

const charges = (who: string, amount: number) =>
  journal.filter((e) => e.event === `charged:${who}` && e.taskArg === String(amount)).length;

describe('idempotent task creation (memory store)', () => {
  let app: McpTestApp;

  beforeAll(async () => {
    app = await startReplica('solo', { handles: true });
  });
  afterAll(() => app.close());

  const as = (headers: Record<string, string>, capabilities?: object) =>
    new TasksWireClient(app.url!, headers, capabilities);
  const get = (headers: Record<string, string>, taskId: string) =>
    as(headers).request('tasks/get', { taskId });

  it('answers the same task for the same key, to the extension and to a handle client', async () => {
    const first = await charge(as(alice), 5, 'order-5');
    expect(first).toMatchObject({ resultType: 'task' });
    const taskId = taskIdOf(first)!;
    expect(taskIdOf(await charge(as(alice), 5, 'order-5'))).toBe(taskId);
    // A client without the extension gets a handle naming the same task.
    const handle = await charge(as(alice, {}), 5, 'order-5');
    expect(handle.structuredContent).toMatchObject({ taskId });
    // The key in an argument (`@Idempotent({ argument: 'requestId' })`) works the same way.
    const byArg = (await as(alice).request('tools/call', {
      name: 'charge',
      arguments: { amount: 6, requestId: 'r-6' },
    })) as CallAnswer;
    expect(
      taskIdOf(
        (await as(alice).request('tools/call', {
          name: 'charge',
          arguments: { amount: 6, requestId: 'r-6' },
        })) as CallAnswer,
      ),
    ).toBe(taskIdOf(byArg));
    await until(
      () => get(alice, taskId),
      (t) => t.status === 'completed',
    );
    await until(
      () => get(alice, taskIdOf(byArg)!),
      (t) => t.status === 'completed',
    );
    // Each key ran its task once.
    expect(charges('t1/alice', 5)).toBe(1);
    expect(charges('t1/alice', 6)).toBe(1);
    // Once over, the key still names the same task (and its result), not a new run.
    expect(taskIdOf(await charge(as(alice), 5, 'order-5'))).toBe(taskId);
    expect(charges('t1/alice', 5)).toBe(1);
  });

  it('refuses the same key with other arguments with IDEMPOTENCY_KEY_REUSED, in both forms', async () => {
    const first = await charge(as(alice), 7, 'order-7');
    expect(toolError(first)).toBeUndefined();
    for (const client of [as(alice), as(alice, {})]) {
      const reused = await charge(client, 8, 'order-7');
      expect(reused.isError).toBe(true);
      expect(toolError(reused)).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        retryable: false,
      });
      expect(reused.content![0].text).toContain('order-7');
    }
    expect(charges('t1/alice', 8)).toBe(0);
  });

  it("never answers one caller's key with another caller's task", async () => {
    const mine = taskIdOf(await charge(as(alice), 9, 'shared-key'))!;
    await until(
      () => get(alice, mine),
      (t) => t.status === 'completed',
    );
    // The attack: other callers send alice's key with alice's arguments to be handed her task
    // (its id, then its result): another user of her tenant, the same subject name in another
    // tenant, and an admin of her tenant (who may read her tasks, but not take her keys).
    const seen = new Set([mine]);
    for (const headers of [mallory, aliceOfT2, admin]) {
      const answer = await charge(as(headers), 9, 'shared-key');
      expect(answer).toMatchObject({ resultType: 'task' });
      const theirs = taskIdOf(answer)!;
      expect(seen.has(theirs)).toBe(false);
      seen.add(theirs);
      await until(
        () => get(headers, theirs),
        (t) => t.status === 'completed',
      );
    }
    // Each ran its own task, as itself; alice's task stays hers.
    expect(charges('t1/mallory', 9)).toBe(1);
    expect(charges('t2/alice', 9)).toBe(1);
    expect(charges('t1/root', 9)).toBe(1);
    expect(charges('t1/alice', 9)).toBe(1);
    await expect(get(mallory, mine)).rejects.toMatchObject({ code: -32602 });
    await expect(get(aliceOfT2, mine)).rejects.toMatchObject({ code: -32602 });
  });
});

describe('InMemoryTaskStore.createOnce', () => {
  const record = (taskId: string, createdAt: number, ttlMs: number | null): TaskRecord => ({
    taskId,
    server: 's',
    tool: 'charge',
    arguments: {},
    status: 'working',
    createdAt,
    lastUpdatedAt: createdAt,
    ttlMs,
    pollIntervalMs: 1_000,
    via: 'extension',
    era: 'modern',
    answers: {},
    attempts: 0,
    maxAttempts: 1,
    version: 0,
  });

  it('holds a key for its TTL and never past its task, then creates anew', async () => {
    let now = 1_000;
    const store = new InMemoryTaskStore({ now: () => now });
    const once: TaskIdempotency = { key: 'k', fingerprint: 'f', ttlMs: 500 };
    expect((await store.createOnce(record('t1', now, 10_000), once)).outcome).toBe('created');
    expect(await store.createOnce(record('t2', now, 10_000), once)).toMatchObject({
      outcome: 'existing',
      record: { taskId: 't1' },
    });
    expect(
      await store.createOnce(record('t3', now, 10_000), { ...once, fingerprint: 'g' }),
    ).toMatchObject({ outcome: 'conflict', record: { taskId: 't1' } });
    now += 500; // the key's TTL is over
    expect(await store.createOnce(record('t4', now, 100), once)).toMatchObject({
      outcome: 'created',
      record: { taskId: 't4' },
    });
    now += 100; // the task's TTL is over, the key's is not: the key goes with its task
    expect(await store.createOnce(record('t5', now, 10_000), once)).toMatchObject({
      outcome: 'created',
      record: { taskId: 't5' },
    });
  });
});

describeWith('redis')('idempotent task creation across replicas (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  let a: McpTestApp;
  let b: McpTestApp;
  const connections: Redis[] = [];

  beforeAll(async () => {
    const tasks = { storage: { redis: REDIS_URL, keyPrefix }, leaseMs: 2_000 };
    [a, b] = await Promise.all([startReplica('a', tasks), startReplica('b', tasks)]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('creates one task when two replicas race on one key', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        charge(new TasksWireClient((i % 2 ? a : b).url!, alice), 42, 'race-42'),
      ),
    );
    const ids = new Set(answers.map(taskIdOf));
    expect(ids.size).toBe(1);
    const [taskId] = [...ids] as string[];
    await until(
      () => new TasksWireClient(a.url!, alice).request('tasks/get', { taskId }),
      (t) => t.status === 'completed',
    );
    expect(charges('t1/alice', 42)).toBe(1);
    // The other tenant's alice, racing on the same key, gets a task of her own.
    const theirs = await charge(new TasksWireClient(b.url!, aliceOfT2), 42, 'race-42');
    expect(taskIdOf(theirs)).not.toBe(taskId);
    const reused = await charge(new TasksWireClient(b.url!, alice), 43, 'race-42');
    expect(toolError(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('RedisTaskStore.createOnce: one created among concurrent writers on separate connections', async () => {
    const stores = [0, 1, 2].map(() => {
      const c = new Redis(REDIS_URL);
      connections.push(c);
      return new RedisTaskStore(c as unknown as RedisClientLike, { keyPrefix });
    });
    const now = Date.now();
    const record = (ttlMs: number): TaskRecord => ({
      taskId: randomUUID(),
      server: 's',
      tool: 'charge',
      arguments: { amount: 1 },
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs,
      pollIntervalMs: 1_000,
      via: 'extension',
      era: 'modern',
      answers: {},
      attempts: 0,
      maxAttempts: 1,
      version: 0,
    });
    const once: TaskIdempotency = { key: `k-${randomUUID()}`, fingerprint: 'f', ttlMs: 60_000 };
    const made = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 3].createOnce(record(60_000), once)),
    );
    const created = made.filter((m) => m.outcome === 'created');
    expect(created).toHaveLength(1);
    const winner = created[0].record.taskId;
    expect(made.every((m) => m.record.taskId === winner)).toBe(true);
    expect(await stores[1].get(winner)).toMatchObject({ taskId: winner });
    expect(
      await stores[2].createOnce(record(60_000), { ...once, fingerprint: 'other' }),
    ).toMatchObject({ outcome: 'conflict', record: { taskId: winner } });

    // A key whose task has expired creates anew.
    const brief: TaskIdempotency = { key: `k-${randomUUID()}`, fingerprint: 'f', ttlMs: 60_000 };
    const short = await stores[0].createOnce(record(Date.now() - now + 300), brief);
    expect(short.outcome).toBe('created');
    await until(
      () => stores[0].get(short.record.taskId),
      (t) => t === undefined,
    );
    const again = await stores[1].createOnce(record(60_000), brief);
    expect(again.outcome).toBe('created');
    expect(again.record.taskId).not.toBe(short.record.taskId);
  });
});
