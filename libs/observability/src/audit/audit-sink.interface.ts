import type { AuditRecord } from './audit-record.interface';

/** Counters of an {@link AuditSink}. */
export interface AuditSinkStats {
  /** Records stored since start. */
  written: number;
  /** Records lost since start (queue full, rejected by the store, or left at shutdown). */
  dropped: number;
  /** Records waiting to be stored. */
  pending: number;
}

/**
 * Where audit records go. `write()` is called on the request's path, synchronously after the
 * request ended, and is never awaited: it must only enqueue (a sink that needs I/O buffers and
 * writes in the background, as {@link PostgresAuditSink} does). A rejected promise or a throw is
 * caught and logged; it never fails a call.
 *
 * Provide your own with `audit: { sink: new MySink() }`, or override the {@link AuditSink} token.
 *
 * @example
 * ```ts
 * class KafkaAuditSink implements AuditSink {
 *   write(record: AuditRecord) { this.producer.send({ topic: 'audit', messages: [{ value: JSON.stringify(record) }] }).catch(() => this.dropped++); }
 *   async close() { await this.producer.disconnect(); }
 * }
 * ```
 */
export interface AuditSink {
  /** Takes one record; must not block. */
  write(record: AuditRecord): void | Promise<void>;
  /** Starts background work (timers, connections); called once at boot. */
  init?(): void | Promise<void>;
  /** Stores what is pending (within a bound) and releases resources; called at shutdown. */
  close?(): Promise<void>;
  /** Counters of what was written and dropped. */
  stats?(): AuditSinkStats;
}

/** Injection token of the app's {@link AuditSink}. */
export const AuditSink = Symbol.for('rampart:audit-sink');

/** Same as {@link AuditSink}, by its constant-style name. */
export const AUDIT_SINK = AuditSink;
