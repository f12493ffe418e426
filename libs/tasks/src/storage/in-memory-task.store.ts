import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { TaskRecord } from '../interfaces/task-record.interface';
import {
  expiryOf,
  type TaskCreateOnce,
  type TaskIdempotency,
  type TaskPage,
  type TaskStore,
} from './task.store';

/** Options of {@link InMemoryTaskStore}. */
export interface InMemoryTaskStoreOptions {
  /**
   * Interval of the one sweep that drops expired tasks, in milliseconds (reads prune too).
   * @default 60000
   */
  sweepIntervalMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Tasks in this process's memory: the default, for one replica. Records expire at their TTL
 * (checked on every read, and by one `unref()`ed sweep); no timer per task.
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ storage: new InMemoryTaskStore() });
 * ```
 */
export class InMemoryTaskStore implements TaskStore, OnModuleInit, OnModuleDestroy {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly owners = new Map<string, string[]>();
  private readonly keys = new Map<string, { taskId: string; fingerprint: string; until: number }>();
  private readonly now: () => number;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly options: InMemoryTaskStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  create(record: TaskRecord): Promise<void> {
    if (this.tasks.has(record.taskId))
      return Promise.reject(new Error(`Task ${record.taskId} exists already`));
    this.tasks.set(record.taskId, structuredClone(record));
    const owner = ownerKeyOf(record);
    const ids = this.owners.get(owner) ?? [];
    ids.push(record.taskId);
    this.owners.set(owner, ids);
    return Promise.resolve();
  }

  get(taskId: string): Promise<TaskRecord | undefined> {
    const record = this.live(taskId);
    return Promise.resolve(record && structuredClone(record));
  }

  update(
    taskId: string,
    change: (current: TaskRecord) => TaskRecord | undefined,
  ): Promise<TaskRecord | undefined> {
    const current = this.live(taskId);
    if (!current) return Promise.resolve(undefined);
    const next = change(structuredClone(current));
    if (!next) return Promise.resolve(structuredClone(current));
    const stored = { ...structuredClone(next), version: current.version + 1 };
    this.tasks.set(taskId, stored);
    return Promise.resolve(structuredClone(stored));
  }

  list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const ids = (this.owners.get(owner) ?? []).filter((id) => this.live(id));
    this.owners.set(owner, ids);
    const newest = [...ids].reverse();
    const start = cursor === undefined ? 0 : Number(cursor);
    const taskIds = newest.slice(start, start + limit);
    const next = start + limit;
    return Promise.resolve({
      taskIds,
      ...(next < newest.length && { nextCursor: String(next) }),
    });
  }

  expiredLeases(now: number, limit: number): Promise<string[]> {
    const found: string[] = [];
    for (const [id, record] of this.tasks) {
      if (found.length >= limit) break;
      if (record.lease && record.lease.until < now && this.live(id)) found.push(id);
    }
    return Promise.resolve(found);
  }

  async createOnce(record: TaskRecord, once: TaskIdempotency): Promise<TaskCreateOnce> {
    // One synchronous section: no other caller runs between the look-up and the create.
    const held = this.keys.get(once.key);
    const task = held && held.until > this.now() ? this.live(held.taskId) : undefined;
    if (held && task)
      return {
        outcome: held.fingerprint === once.fingerprint ? 'existing' : 'conflict',
        record: structuredClone(task),
      };
    const expiry = expiryOf(record);
    const until = Math.min(this.now() + once.ttlMs, expiry ?? Infinity);
    this.keys.set(once.key, { taskId: record.taskId, fingerprint: once.fingerprint, until });
    await this.create(record);
    return { outcome: 'created', record: structuredClone(record) };
  }

  /** The record, unless it has expired (then it is dropped). */
  private live(taskId: string): TaskRecord | undefined {
    const record = this.tasks.get(taskId);
    if (!record) return undefined;
    const expiry = expiryOf(record);
    if (expiry !== undefined && expiry <= this.now()) {
      this.tasks.delete(taskId);
      return undefined;
    }
    return record;
  }

  private sweep(): void {
    for (const id of this.tasks.keys()) this.live(id);
    const now = this.now();
    for (const [key, held] of this.keys) if (held.until <= now) this.keys.delete(key);
    for (const [owner, ids] of this.owners) {
      const kept = ids.filter((id) => this.tasks.has(id));
      if (kept.length) this.owners.set(owner, kept);
      else this.owners.delete(owner);
    }
  }
}

/** The owner key a record is listed under (2025-11-25 `tasks/list`). */
export function ownerKeyOf(record: Pick<TaskRecord, 'owner' | 'server'>): string {
  return ownerKey(record.server, record.owner);
}

/** The key of an owner's task list: server, tenant and subject (`-` when anonymous). */
export function ownerKey(server: string, owner?: { subject?: string; tenant?: string }): string {
  return JSON.stringify([server, owner?.tenant ?? null, owner?.subject ?? null]);
}
