import { Logger } from '@nestjs/common';
import type { AuditRecord } from './audit-record.interface';
import type { AuditSink, AuditSinkStats } from './audit-sink.interface';

/**
 * The default {@link AuditSink}: one `info` line per record through Nest's `Logger` (context
 * `Audit`), so it lands wherever the app's logs go (pino with `nestjs-pino`, as JSON).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ audit: true }); // same as audit: { sink: new LogAuditSink() }
 * ```
 */
export class LogAuditSink implements AuditSink {
  private written = 0;

  constructor(private readonly logger = new Logger('Audit')) {}

  write(record: AuditRecord): void {
    this.logger.log({ msg: 'audit', audit: record });
    this.written++;
  }

  stats(): AuditSinkStats {
    return { written: this.written, dropped: 0, pending: 0 };
  }
}
