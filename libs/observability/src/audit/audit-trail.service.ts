import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { CallRecord } from '../recording/call-record.interface';
import { CallRecorder } from '../recording/call-recorder';
import { Redactor } from '../redaction/redactor';
import { OBSERVABILITY_REDACTOR } from '../observability.constants';
import type { AuditRecord } from './audit-record.interface';
import type { AuditOptions } from './audit-options.interface';
import { AuditSink } from './audit-sink.interface';
import { AUDIT_OPTIONS } from './audit.constants';

/**
 * Turns every recorded request of an audited method into an {@link AuditRecord} (identity,
 * target, decision, outcome, redacted arguments) and hands it to the {@link AuditSink}, never
 * waiting for it and never letting it fail the call. Starts the sink at boot and closes it at
 * `onApplicationShutdown`, after in-flight calls have drained.
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ audit: { methods: ['tools/call', 'resources/read'] } });
 * ```
 */
@Injectable()
export class AuditTrail implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly methods: ReadonlySet<string>;
  private readonly redactor: Redactor;
  private unsubscribe?: () => void;
  private failures = 0;

  constructor(
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(AuditSink) private readonly sink: AuditSink,
    private readonly recorder: CallRecorder,
    @Optional() @Inject(OBSERVABILITY_REDACTOR) redactor?: Redactor,
  ) {
    this.methods = new Set(options.methods ?? ['tools/call']);
    // Without the app's redactor, the default patterns still apply: never store raw arguments.
    this.redactor = redactor ?? new Redactor();
  }

  async onModuleInit(): Promise<void> {
    await this.sink.init?.();
    this.unsubscribe = this.recorder.subscribe((record) => this.audit(record));
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.sink.close?.();
  }

  /** Builds the audit record of a call record (public for tests and custom listeners). */
  toAuditRecord(record: CallRecord): AuditRecord {
    const args =
      this.options.arguments === false || record.arguments === undefined
        ? undefined
        : this.redactor.redact({ ...record.arguments });
    return {
      at: new Date(record.startedAt).toISOString(),
      server: record.server,
      method: record.method,
      target: record.target,
      subject: record.identity?.subject,
      tenant: record.identity?.tenant,
      decision: record.decision,
      outcome: record.outcome,
      errorCode: record.errorCode,
      durationMs: Math.round(record.durationMs * 1000) / 1000,
      arguments: args,
      correlationId: record.correlationId,
      traceId: record.traceId,
      era: record.era,
      transport: record.transport,
    };
  }

  private audit(record: CallRecord): void {
    if (!this.methods.has(record.method)) return;
    try {
      const pending = this.sink.write(this.toAuditRecord(record));
      if (pending) pending.catch((error: unknown) => this.failed(error));
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    // Logged for the first failure and then every 1000th, so a broken sink cannot flood the log.
    if (this.failures++ % 1000 === 0)
      this.logger.warn(
        `Audit sink failed (${this.failures} time(s)): ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}
