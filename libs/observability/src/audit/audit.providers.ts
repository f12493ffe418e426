import type { Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { OBSERVABILITY_REGISTRY } from '../observability.constants';
import { checkMaxArgumentsChars } from '../redaction/bounded-arguments';
import type { AuditOptions } from './audit-options.interface';
import { AuditSink } from './audit-sink.interface';
import { AuditTrail } from './audit-trail.service';
import { AUDIT_OPTIONS } from './audit.constants';
import { LogAuditSink } from './log-audit.sink';
import { PostgresAuditSink } from './postgres-audit.sink';

/**
 * The providers of the audit trail, for `ObservabilityModule`: the options, the {@link AuditSink}
 * (`'log'`, `'postgres'` or the given sink) and the {@link AuditTrail} that feeds it from the
 * `CallRecorder`. The sink is exported under the `AuditSink` token, so `stats()` can be read.
 *
 * @example
 * ```ts
 * providers: [CallRecorder, ...auditProviders({ sink: 'postgres', postgres: { connectionString } })]
 * ```
 */
export function auditProviders(options: AuditOptions | true): Provider[] {
  const resolved: AuditOptions = options === true ? {} : options;
  checkAuditOptions(resolved);
  return [
    { provide: AUDIT_OPTIONS, useValue: resolved },
    {
      provide: AuditSink,
      inject: [{ token: OBSERVABILITY_REGISTRY, optional: true }],
      useFactory: (registry?: Registry): AuditSink => {
        const sink = resolved.sink ?? 'log';
        if (sink === 'log') return new LogAuditSink();
        if (sink === 'postgres') return new PostgresAuditSink(resolved.postgres!, { registry });
        return sink;
      },
    },
    AuditTrail,
  ];
}

function checkAuditOptions(options: AuditOptions): void {
  const sink = options.sink ?? 'log';
  if (sink === 'postgres' && !options.postgres?.connectionString && !options.postgres?.pool)
    throw new Error(
      'AuditOptions: sink "postgres" needs postgres.connectionString or postgres.pool',
    );
  if (typeof sink === 'object' && typeof sink?.write !== 'function')
    throw new Error('AuditOptions.sink must be "log", "postgres" or an object with write()');
  if (typeof sink === 'string' && sink !== 'log' && sink !== 'postgres')
    throw new Error(
      `AuditOptions.sink must be "log", "postgres" or an AuditSink; got "${String(sink as unknown)}"`,
    );
  if (options.methods && !options.methods.every((m) => typeof m === 'string'))
    throw new Error('AuditOptions.methods must be JSON-RPC method names');
  checkMaxArgumentsChars('AuditOptions', options.maxArgumentsChars);
}
