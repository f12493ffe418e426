import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { McpServers, RampartChannel, type AccessEvent, type ApprovalEvent } from '@rampart/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { CallRecord } from '../recording/call-record.interface';
import { CallRecorder } from '../recording/call-recorder';
import { nextCorrelationId } from '../recording/correlation-id';
import { DEFAULT_MAX_ARGUMENTS_CHARS, recordedArguments } from '../redaction/bounded-arguments';
import { Redactor } from '../redaction/redactor';
import { OBSERVABILITY_REDACTOR } from '../observability.constants';
import type { AuditRecord } from './audit-record.interface';
import type { AuditOptions } from './audit-options.interface';
import { AuditSink } from './audit-sink.interface';
import { AUDIT_OPTIONS } from './audit.constants';

/** How long a call's denial waits for the record of its request before it is audited alone. */
const PENDING_MS = 30_000;
/** How often denials that waited too long are looked for. */
const SWEEP_MS = 5_000;
/** Most denials waiting for their request's record; past it the oldest is audited alone. */
const MAX_PENDING = 1_000;

/** A denial reported for a request whose record has not come yet. */
interface PendingDenial {
  readonly key: string;
  readonly event: AccessEvent;
  readonly at: number;
}

/** What a denial and the record of its request have in common. */
const keyOf = (server: string, method: string, target?: string, subject?: string) =>
  `${server}\u0000${method}\u0000${target ?? ''}\u0000${subject ?? ''}`;

/**
 * Turns every recorded request of an audited method into an {@link AuditRecord} (identity,
 * target, decision, outcome, redacted arguments) and hands it to the {@link AuditSink}, never
 * waiting for it and never letting it fail the call. Starts the sink at boot and closes it at
 * `onApplicationShutdown`, after in-flight calls have drained.
 *
 * It also audits the refusals that access control reports on `RampartChannel.access`
 * (`@rampart/security`), whatever the method: credentials missing or refused get a record of
 * their own (no request was read); a denied call is audited ONCE, as its request's record with
 * decision `denied`, the reason and the deciding policies. The denial is published while the
 * request is admitted, and its record comes when the request ends (at once for a refusal), so the
 * two are joined on server, method, target and subject; a denial whose record has not come
 * within 30 s (or by shutdown) is audited alone. (The channel is the process's: a denial on a
 * server of another Nest app of the same process is left to that app's trail.)
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
  /** Denials waiting for their request's record, by {@link keyOf}, oldest first. */
  private readonly pending = new Map<string, PendingDenial[]>();
  /** The same denials in the order they came (a Set keeps insertion order, deletes in O(1)). */
  private readonly waiting = new Set<PendingDenial>();
  private readonly onAccess = (event: unknown) => this.accessRefused(event as AccessEvent);
  private readonly onApproval = (event: unknown) =>
    this.write(() => this.toApprovalRecord(event as ApprovalEvent));
  private approvalsOn = false;
  private sweep?: NodeJS.Timeout;

  constructor(
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(AuditSink) private readonly sink: AuditSink,
    private readonly recorder: CallRecorder,
    @Optional() @Inject(OBSERVABILITY_REDACTOR) redactor?: Redactor,
    @Optional() private readonly servers?: McpServers,
  ) {
    this.methods = new Set(options.methods ?? ['tools/call']);
    // Without the app's redactor, the default patterns still apply: never store raw arguments.
    this.redactor = redactor ?? new Redactor();
  }

  async onModuleInit(): Promise<void> {
    await this.sink.init?.();
    this.unsubscribe = this.recorder.subscribe((record) => this.audit(record));
    if (this.options.access !== false) {
      subscribe(RampartChannel.access, this.onAccess);
      this.sweep = setInterval(() => this.waiting.size > 0 && this.expire(Date.now()), SWEEP_MS);
      this.sweep.unref();
    }
    if (this.options.approvals !== false) {
      subscribe(RampartChannel.approval, this.onApproval);
      this.approvalsOn = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    if (this.approvalsOn) {
      unsubscribe(RampartChannel.approval, this.onApproval);
      this.approvalsOn = false;
    }
    if (this.sweep) {
      unsubscribe(RampartChannel.access, this.onAccess);
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
    this.expire(Number.POSITIVE_INFINITY);
    await this.sink.close?.();
  }

  /**
   * Builds the audit record of a call record (public for tests and custom listeners); with the
   * access control's `denial` of the call, a `denied` record with its reason and policies.
   */
  toAuditRecord(record: CallRecord, denial?: AccessEvent): AuditRecord {
    const bounded =
      this.options.arguments === false || record.arguments === undefined
        ? undefined
        : recordedArguments(
            record.arguments,
            record,
            this.redactor,
            this.options.maxArgumentsChars ?? DEFAULT_MAX_ARGUMENTS_CHARS,
            this.servers,
          );
    return {
      at: new Date(record.startedAt).toISOString(),
      server: record.server,
      method: record.method,
      target: record.target,
      subject: record.identity?.subject,
      tenant: record.identity?.tenant,
      decision: denial ? 'denied' : record.decision,
      outcome: record.outcome,
      errorCode: record.errorCode,
      ...(denial && refusalOf(denial)),
      durationMs: Math.round(record.durationMs * 1000) / 1000,
      arguments: bounded?.arguments,
      ...(bounded?.truncated && { argumentsTruncated: bounded.truncated }),
      correlationId: record.correlationId,
      traceId: record.traceId,
      era: record.era,
      transport: record.transport,
    };
  }

  /**
   * Builds the audit record of a refusal reported without its request (credentials refused
   * before any request was read, an endpoint outside MCP denied, or a denial whose request's
   * record never came).
   */
  toRefusalRecord(event: AccessEvent, at = Date.now()): AuditRecord {
    return {
      at: new Date(at).toISOString(),
      server: String(event.server),
      method: typeof event.method === 'string' ? event.method : String(event.stage),
      ...(typeof event.target === 'string' && { target: event.target }),
      ...(typeof event.subject === 'string' && { subject: event.subject }),
      ...(typeof event.tenant === 'string' && { tenant: event.tenant }),
      decision: 'denied',
      outcome: 'error',
      ...refusalOf(event),
      ...(typeof event.address === 'string' && { address: event.address }),
      durationMs: 0,
      correlationId: nextCorrelationId(),
    };
  }

  /**
   * Builds the audit record of an approval event: method `approval/<outcome>`, the tool as the
   * target, who acted as the subject, the approval id as the correlation id.
   */
  toApprovalRecord(event: ApprovalEvent, at = Date.now()): AuditRecord {
    const outcome = String(event.outcome);
    const refused = outcome === 'refused' || outcome === 'denied' || outcome === 'expired';
    return {
      at: new Date(at).toISOString(),
      server: String(event.server),
      method: `approval/${outcome}`,
      ...(typeof event.tool === 'string' && event.tool && { target: event.tool }),
      ...(typeof event.subject === 'string' && { subject: event.subject }),
      ...(typeof event.tenant === 'string' && { tenant: event.tenant }),
      decision: refused ? 'denied' : 'allowed',
      outcome: outcome === 'refused' ? 'error' : 'success',
      ...(typeof event.reason === 'string' && { reason: event.reason }),
      durationMs: 0,
      correlationId: typeof event.approvalId === 'string' ? event.approvalId : nextCorrelationId(),
      approval: {
        ...(typeof event.approvalId === 'string' && { id: event.approvalId }),
        ...(typeof event.taskId === 'string' && { taskId: event.taskId }),
        ...(typeof event.caller === 'string' && { caller: event.caller }),
      },
    };
  }

  private audit(record: CallRecord): void {
    const denial = this.waiting.size > 0 ? this.take(record) : undefined;
    if (!denial && !this.methods.has(record.method)) return;
    this.write(() => this.toAuditRecord(record, denial));
  }

  private accessRefused(event: AccessEvent): void {
    const now = Date.now();
    if (event.stage === 'authorization' && typeof event.method === 'string') {
      // A request to a server of another app of this process: that app audits it.
      if (this.servers && !this.servers.find(event.server)) return;
      // A call's denial: its request's record follows and is audited in its place.
      const denial: PendingDenial = {
        key: keyOf(event.server, event.method, event.target, event.subject),
        event,
        at: now,
      };
      const same = this.pending.get(denial.key);
      if (same) same.push(denial);
      else this.pending.set(denial.key, [denial]);
      this.waiting.add(denial);
      if (this.waiting.size > MAX_PENDING) this.expire(now, true);
      return;
    }
    this.write(() => this.toRefusalRecord(event, now));
  }

  /** The denial reported for the request of `record`, if any (and no longer pending). */
  private take(record: CallRecord): AccessEvent | undefined {
    const key = keyOf(record.server, record.method, record.target, record.identity?.subject);
    const same = this.pending.get(key);
    if (!same) return undefined;
    const denial = same.shift()!;
    if (same.length === 0) this.pending.delete(key);
    this.waiting.delete(denial);
    return denial.event;
  }

  /** Audits alone the denials older than {@link PENDING_MS} before `now` (and the oldest when `one`). */
  private expire(now: number, one = false): void {
    for (const denial of this.waiting) {
      if (!one && denial.at > now - PENDING_MS) return;
      one = false;
      this.waiting.delete(denial);
      const same = this.pending.get(denial.key)!;
      same.splice(same.indexOf(denial), 1);
      if (same.length === 0) this.pending.delete(denial.key);
      this.write(() => this.toRefusalRecord(denial.event, denial.at));
    }
  }

  private write(build: () => AuditRecord): void {
    try {
      const pending = this.sink.write(build());
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

/** The reason and policies of a refusal, as audit fields. */
function refusalOf(event: AccessEvent): Pick<AuditRecord, 'reason' | 'policies'> {
  return {
    reason: String(event.reason),
    ...(Array.isArray(event.policies) &&
      event.policies.length > 0 && { policies: event.policies.map(String) }),
  };
}
