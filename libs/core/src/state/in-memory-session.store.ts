import type {
  SessionChange,
  SessionLimits,
  SessionOpening,
  SessionRecord,
  SessionStore,
} from './session.store';

/** Options of {@link InMemorySessionStore}. */
export interface InMemorySessionStoreOptions {
  /**
   * Interval of the sweep that drops expired sessions, in milliseconds.
   * @default 60000
   */
  sweepIntervalMs?: number;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

interface Entry {
  record: SessionRecord;
  expiresAt: number;
}

/**
 * Sessions in this process's memory: the default, for a single replica. Each record keeps its
 * expiry time; reads drop an expired record, and one `unref()`ed sweep (started with the first
 * session, stopped by {@link close}) drops those nobody reads.
 *
 * @example
 * ```ts
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { sessions: new InMemorySessionStore() } });
 * ```
 */
export class InMemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly byClient = new Map<string, Set<string>>();
  private readonly now: () => number;
  private readonly sweepIntervalMs: number;
  private sweep?: NodeJS.Timeout;

  constructor(options: InMemorySessionStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  }

  async create(record: SessionRecord, limits: SessionLimits): Promise<SessionOpening> {
    this.startSweep();
    this.drop(record.id);
    const open = this.countNow(undefined, limits.maxSessions);
    if (open >= limits.maxSessions) return { opened: false, limit: 'server', open };
    const mine = this.countNow(record.clientKey, limits.maxSessionsPerClient);
    if (mine >= limits.maxSessionsPerClient) return { opened: false, limit: 'client', open: mine };
    this.entries.set(record.id, {
      record: copy(record),
      expiresAt: record.lastSeen + record.idleTtlMs,
    });
    let ids = this.byClient.get(record.clientKey);
    if (!ids) this.byClient.set(record.clientKey, (ids = new Set()));
    ids.add(record.id);
    return { opened: true };
  }

  async touch(id: string): Promise<SessionRecord | undefined> {
    const entry = this.live(id);
    if (!entry) return undefined;
    const now = this.now();
    entry.record.lastSeen = now;
    entry.expiresAt = now + entry.record.idleTtlMs;
    return copy(entry.record);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.live(id);
    return entry && copy(entry.record);
  }

  async change(id: string, change: SessionChange): Promise<SessionRecord | undefined> {
    const entry = this.live(id);
    if (!entry) return undefined;
    const record = entry.record;
    if ('subscribe' in change) {
      if (!record.subscriptions.includes(change.subscribe))
        record.subscriptions.push(change.subscribe);
    } else if ('unsubscribe' in change)
      record.subscriptions = record.subscriptions.filter((uri) => uri !== change.unsubscribe);
    else record.logLevel = change.logLevel;
    record.revision++;
    return copy(record);
  }

  async delete(id: string): Promise<boolean> {
    const existed = !!this.live(id);
    this.drop(id);
    return existed;
  }

  async count(clientKey?: string): Promise<number> {
    return this.countNow(clientKey);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt <= this.now()) {
      this.drop(id);
      return undefined;
    }
    return entry;
  }

  /** Open sessions; expired ones are pruned only when the raw count reaches `limit`. */
  private countNow(clientKey?: string, limit = 0): number {
    if (this.size(clientKey) >= limit) this.prune();
    return this.size(clientKey);
  }

  private size(clientKey?: string): number {
    return clientKey === undefined ? this.entries.size : (this.byClient.get(clientKey)?.size ?? 0);
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const ids = this.byClient.get(entry.record.clientKey);
    ids?.delete(id);
    if (ids?.size === 0) this.byClient.delete(entry.record.clientKey);
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.drop(id);
  }

  private startSweep(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => this.prune(), this.sweepIntervalMs);
    this.sweep.unref();
  }
}

function copy(record: SessionRecord): SessionRecord {
  return { ...record, subscriptions: [...record.subscriptions] };
}
