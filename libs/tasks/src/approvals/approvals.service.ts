import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  McpServers,
  RampartChannel,
  ToolError,
  type ApprovalEvent,
  type McpCall,
  type McpIdentity,
  type ToolEntry,
} from '@rampart/core';
import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { isTerminal, type TaskRecord } from '../interfaces/task-record.interface';
import type { TasksModuleOptions } from '../interfaces/tasks-module-options.interface';
import { TaskStore } from '../storage/task.store';
import { TasksDefinitionError } from '../errors/tasks-definition.error';
import { TASKS_MODULE_OPTIONS } from '../tasks.module-definition';
import { TasksService, toToolErrorResult, type TaskCreation } from '../tasks.service';
import type { ApprovalNotifier } from './approval-notifier';
import { ApprovalRefusal } from './approval-refusal';
import { ApprovalSigner, argumentsHash } from './approval-signer';
import type {
  ApprovalCaller,
  ApprovalRecord,
  ApprovalsOptions,
  RequiresApprovalOptions,
} from './approval.interfaces';
import { ApprovalStore } from './approval.store';
import { RequiresApprovalMetadata } from './requires-approval.decorator';

/** How long an approval may be given, from the call, unless the tool or module says otherwise. */
export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;
/** Where the approval endpoints are served by default. */
export const DEFAULT_APPROVALS_PATH = '/rampart/approvals';
/** How often pending approvals past their expiry are looked for, in milliseconds. */
const SWEEP_MS = 1_000;

const approvalEvents = channel(RampartChannel.approval);

/** An approval as the endpoints show it to an approver: with the arguments it binds. */
export interface ApprovalView {
  approvalId: string;
  server: string;
  tool: string;
  taskId: string;
  status: ApprovalRecord['status'];
  caller: ApprovalCaller;
  approvers: string;
  reason?: string;
  /** The arguments the call runs with, as the task holds them. */
  arguments?: Record<string, unknown>;
  argumentsHash: string;
  createdAt: string;
  expiresAt: string;
  decidedBy?: ApprovalCaller;
  decidedAt?: string;
  comment?: string;
}

/** What an approver sends to decide. */
export interface ApprovalDecision {
  /** The hash of the arguments the approver saw: the decision is refused if they differ. */
  argumentsHash?: string;
  /** A note recorded with the decision (a denial's reason). */
  comment?: string;
}

const sameParty = (a: ApprovalCaller, b: ApprovalCaller) =>
  (a.subject ?? undefined) === (b.subject ?? undefined) &&
  (a.tenant ?? undefined) === (b.tenant ?? undefined);

/** Whether a task still waits for the approval `approvalId`: not ended, not cancelled. */
const waitsFor = (task: TaskRecord | undefined, approvalId: string): task is TaskRecord =>
  !!task &&
  !!task.awaitingApproval &&
  task.approvalId === approvalId &&
  !isTerminal(task.status) &&
  !task.cancelRequested;

const partyOf = (identity: McpIdentity | undefined): ApprovalCaller =>
  identity
    ? { subject: identity.subject, ...(identity.tenant && { tenant: identity.tenant }) }
    : {};

/**
 * Approvals of calls to tools that need one (`@RequiresApproval()`, or `destructiveHint` tools
 * with `approvals.destructive`): a call becomes a task held for a signed approval, bound to its
 * caller, server, tool, arguments (their SHA-256) and task, with an expiry. An approver decides
 * out of band (the approval endpoints), never through the calling client; the run claims the
 * approval once, after checking both signatures and the arguments again. Each request,
 * decision, expiry and refusal is published on `RampartChannel.approval` (audit, metrics).
 */
@Injectable()
export class ApprovalsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Approvals');
  readonly options?: ApprovalsOptions;
  private readonly signer?: ApprovalSigner;
  private readonly notifiers: readonly ApprovalNotifier[];
  private sweeper?: NodeJS.Timeout;
  /** The one server TasksModule serves, or `undefined` for every server. */
  private readonly moduleServer?: string;
  /** Tools never held, whatever their annotations: the task status tools. */
  private readonly exempt = new WeakSet<ToolEntry>();
  /** What `requirementOf` found, by tool (`null`: nothing to approve). */
  private readonly requirements = new WeakMap<ToolEntry, RequiresApprovalOptions | null>();

  constructor(
    @Inject(TASKS_MODULE_OPTIONS) moduleOptions: TasksModuleOptions,
    @Inject(ApprovalStore) readonly store: ApprovalStore,
    @Inject(TaskStore) private readonly taskStore: TaskStore,
    private readonly tasks: TasksService,
    private readonly reflector: Reflector,
    private readonly servers: McpServers,
  ) {
    this.options = moduleOptions.approvals;
    this.moduleServer = moduleOptions.server;
    if (this.options) this.signer = new ApprovalSigner(this.options.keys);
    this.notifiers = this.options?.notifiers ?? [];
    this.tasks.approvalGate = (t) => this.claim(t);
  }

  /** Whether approvals are configured (`approvals: { keys }`). */
  get enabled(): boolean {
    return !!this.signer;
  }

  /** Where the endpoints are served, or `undefined` for none. */
  get path(): string | undefined {
    const path = this.options?.path;
    return path === false ? undefined : (path ?? DEFAULT_APPROVALS_PATH);
  }

  onApplicationBootstrap(): void {
    // A tool that asks for an approval on a server TasksModule does not serve would run without
    // one (nothing there holds its calls): refused at boot, failing closed.
    const served = this.moduleServer;
    if (served !== undefined)
      for (const host of this.servers.all())
        if (host.name !== served)
          for (const tool of host.registry.tools.list())
            if (
              tool.handler.kind === 'method' &&
              this.reflector.get(RequiresApprovalMetadata, tool.handler.method)
            )
              throw new TasksDefinitionError(
                `Tool ${tool.name} of server ${host.name} needs an approval (@RequiresApproval()), and TasksModule serves only server ${served}: its calls would run unapproved. Serve both servers (leave out \`server\`) or move the tool`,
              );
    if (!this.enabled) {
      for (const host of this.servers.all())
        for (const tool of host.registry.tools.list())
          if (this.requirementOf(tool))
            throw new TasksDefinitionError(
              `Tool ${tool.name} needs an approval (@RequiresApproval()): configure TasksModule.forRoot({ approvals: { keys } })`,
            );
      return;
    }
    this.sweeper = setInterval(() => void this.sweep(), this.options?.sweepIntervalMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Never holds `tool`, whatever its annotations: the status tools that `TasksModule` adds
   * (`cancel_task` is annotated `destructiveHint`, and a cancellation held for an approval could
   * not cancel a held call in time).
   */
  exemptTool(tool: ToolEntry): void {
    this.exempt.add(tool);
    this.requirements.delete(tool);
  }

  /**
   * The approval a tool's calls need, or `undefined`: read once per tool (it is asked on every
   * call) from its decorator and the module's default.
   */
  requirementOf(tool: ToolEntry): RequiresApprovalOptions | undefined {
    let requirement = this.requirements.get(tool);
    if (requirement === undefined) {
      requirement = this.readRequirement(tool) ?? null;
      this.requirements.set(tool, requirement);
    }
    return requirement ?? undefined;
  }

  private readRequirement(tool: ToolEntry): RequiresApprovalOptions | undefined {
    if (this.exempt.has(tool)) return undefined;
    const own =
      tool.handler.kind === 'method'
        ? this.reflector.get(RequiresApprovalMetadata, tool.handler.method)
        : undefined;
    if (own) return own;
    const destructive = this.options?.destructive;
    return destructive && tool.definition.annotations?.destructiveHint === true
      ? destructive
      : undefined;
  }

  // ------------------------------------------------------------------------------------ request

  /**
   * Holds a call for its approval: stores the task (not queued) and the signed approval, tells
   * the notifiers, and resolves with the task.
   */
  async request(
    call: McpCall,
    tool: ToolEntry,
    requirement: RequiresApprovalOptions,
    how: Omit<TaskCreation, 'approval'>,
  ): Promise<TaskRecord> {
    if (!this.signer)
      throw new ToolError(
        'APPROVALS_NOT_CONFIGURED',
        `${tool.name} needs an approval, and this server has no approval keys`,
      );
    const now = Date.now();
    const approvalId = randomUUID();
    const expiresAt = now + (requirement.ttlMs ?? this.options?.ttlMs ?? DEFAULT_APPROVAL_TTL_MS);
    const task = await this.tasks.create(call, tool, {
      ...how,
      approval: {
        approvalId,
        expiresAt,
        statusMessage: `Waiting for approval ${approvalId} (scope ${requirement.approvers}) until ${new Date(expiresAt).toISOString()}`,
      },
    });
    const unsigned: ApprovalRecord = {
      approvalId,
      server: call.server,
      tool: tool.name,
      argumentsHash: argumentsHash(task.arguments),
      caller: partyOf(call.origin.identity),
      taskId: task.taskId,
      approvers: requirement.approvers,
      ...(requirement.reason !== undefined && { reason: requirement.reason }),
      createdAt: now,
      expiresAt,
      kid: this.signer.kid,
      signature: '',
      status: 'pending',
    };
    const record = { ...unsigned, signature: this.signer.signRequest(unsigned) };
    try {
      await this.store.create(record);
    } catch (error) {
      await this.tasks.settle(
        task.taskId,
        toToolErrorResult(
          new ToolError('UNAVAILABLE', 'The approval could not be stored', { retryable: true }),
        ),
      );
      throw error;
    }
    this.publish(record, 'requested', {
      subject: record.caller.subject,
      tenant: record.caller.tenant,
    });
    void this.notify(record);
    return task;
  }

  private async notify(record: ApprovalRecord): Promise<void> {
    const path = this.path;
    for (const notifier of this.notifiers)
      try {
        await notifier.notify({
          type: 'approval.requested',
          approvalId: record.approvalId,
          server: record.server,
          tool: record.tool,
          taskId: record.taskId,
          argumentsHash: record.argumentsHash,
          caller: record.caller,
          approvers: record.approvers,
          ...(record.reason !== undefined && { reason: record.reason }),
          expiresAt: new Date(record.expiresAt).toISOString(),
          ...(path && { path: `${path.replace(/\/+$/, '')}/${record.approvalId}` }),
        });
      } catch (e) {
        this.logger.warn(
          `Approval ${record.approvalId}: a notifier failed: ${(e as Error).message}`,
        );
      }
  }

  // ------------------------------------------------------------------------------ approvers' view

  /** The pending approvals `approver` may decide (their scope, their tenant, not their own). */
  async listFor(approver: McpIdentity): Promise<ApprovalView[]> {
    const views: ApprovalView[] = [];
    for (const record of await this.store.pending(200)) {
      if (record.expiresAt <= Date.now()) continue;
      if (!this.mayDecide(approver, record)) continue;
      // A call cancelled while it waited has nothing left to decide.
      const task = await this.taskStore.get(record.taskId);
      if (!waitsFor(task, record.approvalId)) continue;
      views.push(await this.viewOf(record, task));
    }
    return views;
  }

  /** One approval, for an approver of its tenant who holds its scope. */
  async getFor(approver: McpIdentity, approvalId: string): Promise<ApprovalView> {
    const record = await this.find(approver, approvalId);
    this.checkScope(approver, record);
    return this.viewOf(record);
  }

  private mayDecide(approver: McpIdentity, record: ApprovalRecord): boolean {
    return (
      (approver.tenant ?? undefined) === (record.caller.tenant ?? undefined) &&
      !!approver.scopes?.includes(record.approvers) &&
      !sameParty(partyOf(approver), record.caller)
    );
  }

  private async find(approver: McpIdentity, approvalId: string): Promise<ApprovalRecord> {
    const record = approvalId ? await this.store.get(approvalId) : undefined;
    // Another tenant's approval answers as an unknown one.
    if (!record || (approver.tenant ?? undefined) !== (record.caller.tenant ?? undefined)) {
      this.publishRefusal({ approvalId }, approver, 'not-found');
      throw new ApprovalRefusal('not-found', `No approval ${approvalId}`);
    }
    return record;
  }

  private checkScope(approver: McpIdentity, record: ApprovalRecord): void {
    if (approver.scopes?.includes(record.approvers)) return;
    this.refuse(
      record,
      approver,
      'insufficient-scope',
      `Deciding this approval needs the scope ${record.approvers}`,
    );
  }

  private async viewOf(record: ApprovalRecord, known?: TaskRecord): Promise<ApprovalView> {
    const task = known ?? (await this.taskStore.get(record.taskId));
    return {
      approvalId: record.approvalId,
      server: record.server,
      tool: record.tool,
      taskId: record.taskId,
      status:
        record.status === 'pending' && record.expiresAt <= Date.now() ? 'expired' : record.status,
      caller: record.caller,
      approvers: record.approvers,
      ...(record.reason !== undefined && { reason: record.reason }),
      ...(task && { arguments: task.arguments }),
      argumentsHash: record.argumentsHash,
      createdAt: new Date(record.createdAt).toISOString(),
      expiresAt: new Date(record.expiresAt).toISOString(),
      ...(record.decidedBy && { decidedBy: record.decidedBy }),
      ...(record.decidedAt !== undefined && {
        decidedAt: new Date(record.decidedAt).toISOString(),
      }),
      ...(record.comment !== undefined && { comment: record.comment }),
    };
  }

  // ---------------------------------------------------------------------------------- decisions

  /**
   * Approves or denies an approval as `approver`. Refused (an {@link ApprovalRefusal}, audited
   * and counted): another tenant's or an unknown approval (`not-found`), an approver without the
   * scope, the caller deciding its own call, a record whose signature does not verify, an
   * approval past its expiry, one decided already (`replayed`), arguments that differ from
   * those the approver saw or those signed, a task that no longer waits.
   */
  async decide(
    approver: McpIdentity,
    approvalId: string,
    verdict: 'approved' | 'denied',
    decision: ApprovalDecision = {},
  ): Promise<ApprovalView> {
    const signer = this.signer!;
    const record = await this.find(approver, approvalId);
    this.checkScope(approver, record);
    if (!signer.verifyRequest(record))
      this.refuse(
        record,
        approver,
        'invalid-signature',
        'The approval record does not carry a valid signature',
      );
    if (sameParty(partyOf(approver), record.caller))
      this.refuse(
        record,
        approver,
        'self-approval',
        'The caller cannot decide the approval of its own call',
      );
    if (record.status !== 'pending')
      this.refuse(
        record,
        approver,
        record.status === 'expired' ? 'expired' : 'replayed',
        `The approval is ${record.status} already`,
      );
    const now = Date.now();
    if (record.expiresAt <= now) {
      await this.expire(record.approvalId);
      this.refuse(
        record,
        approver,
        'expired',
        `The approval expired at ${new Date(record.expiresAt).toISOString()}`,
      );
    }
    if (decision.argumentsHash !== undefined && decision.argumentsHash !== record.argumentsHash)
      this.refuse(
        record,
        approver,
        'arguments-changed',
        'The arguments differ from those the approver saw: a new approval is needed',
      );
    const task = await this.taskStore.get(record.taskId);
    // Cancelled (or otherwise over) while it waited: nothing runs, so nothing is decided.
    if (!waitsFor(task, record.approvalId)) this.taskOver(record, approver, task);
    if (argumentsHash(task.arguments) !== record.argumentsHash)
      this.refuse(
        record,
        approver,
        'arguments-changed',
        'The arguments of the call differ from those approved: a new approval is needed',
      );

    const decided: ApprovalRecord = {
      ...record,
      status: verdict,
      decidedBy: partyOf(approver),
      decidedAt: now,
      ...(decision.comment !== undefined && { comment: decision.comment }),
      decisionKid: signer.kid,
    };
    decided.decisionSignature = signer.signDecision(decided, verdict);
    if (!(await this.store.transition(record.approvalId, ['pending'], decided)))
      this.refuse(record, approver, 'replayed', 'The approval was decided already');
    this.publish(decided, verdict, partyOf(approver));
    const ended =
      verdict === 'approved'
        ? await this.tasks.release(record.taskId, `Approved by ${approver.subject}; running`)
        : await this.tasks.settle(
            record.taskId,
            toToolErrorResult(
              new ToolError(
                'APPROVAL_DENIED',
                `The call was denied by ${approver.subject}${decision.comment ? `: ${decision.comment}` : ''}`,
                {
                  fault: 'caller',
                  details: { approvalId: record.approvalId },
                },
              ),
            ),
          );
    // Cancelled between the checks and the decision: the decision is recorded, and runs nothing.
    if (!ended) this.taskOver(decided, approver, await this.taskStore.get(record.taskId));
    return this.viewOf(decided);
  }

  // ---------------------------------------------------------------------------------- runs

  /**
   * Before a held task runs: its approval must be approved (both signatures valid), for this
   * task, caller, server, tool and arguments, and is claimed (`used`) once; a run that finds it
   * used already, or anything that does not verify, is refused with a tool error.
   */
  async claim(t: TaskRecord): Promise<ToolError | undefined> {
    const record = t.approvalId ? await this.store.get(t.approvalId) : undefined;
    const refuse = (reason: ApprovalEvent['reason'], message: string) => {
      if (record) this.publish(record, 'refused', {}, reason);
      return new ToolError('APPROVAL_INVALID', message, {
        fault: 'caller',
        details: { approvalId: t.approvalId, reason },
      });
    };
    if (!record || !this.signer)
      return refuse('not-found', 'The approval of this call is not found');
    if (record.status !== 'approved')
      return refuse(
        record.status === 'used' ? 'replayed' : 'not-approved',
        `The approval is ${record.status}`,
      );
    if (!this.signer.verifyDecision(record, 'approved'))
      return refuse('invalid-signature', 'The approval does not carry a valid signature');
    if (
      record.taskId !== t.taskId ||
      record.server !== t.server ||
      record.tool !== t.tool ||
      !sameParty(record.caller, t.owner ?? {})
    )
      return refuse('invalid-signature', 'The approval is for another call');
    if (argumentsHash(t.arguments) !== record.argumentsHash)
      return refuse(
        'arguments-changed',
        'The arguments differ from those approved: a new approval is needed',
      );
    const used: ApprovalRecord = { ...record, status: 'used', usedAt: Date.now() };
    if (!(await this.store.transition(record.approvalId, ['approved'], used)))
      return refuse('replayed', 'The approval was used already');
    return undefined;
  }

  // ---------------------------------------------------------------------------------- expiry

  /** Expires the pending approvals past their expiry; their calls end with `APPROVAL_EXPIRED`. */
  async sweep(): Promise<void> {
    try {
      for (const approvalId of await this.store.expiredPending(Date.now(), 100))
        await this.expire(approvalId);
    } catch (e) {
      this.logger.warn(`Approval sweep failed: ${(e as Error).message}`);
    }
  }

  private async expire(approvalId: string): Promise<void> {
    const record = await this.store.get(approvalId);
    if (!record || record.status !== 'pending' || record.expiresAt > Date.now()) return;
    const expired: ApprovalRecord = { ...record, status: 'expired' };
    if (!(await this.store.transition(approvalId, ['pending'], expired))) return;
    this.publish(expired, 'expired', {}, 'ttl');
    await this.tasks.settle(
      record.taskId,
      toToolErrorResult(
        new ToolError(
          'APPROVAL_EXPIRED',
          `Nobody approved the call before ${new Date(record.expiresAt).toISOString()}`,
          {
            fault: 'caller',
            details: { approvalId },
            suggestions: ['Call the tool again to ask for a new approval'],
          },
        ),
      ),
    );
  }

  // ---------------------------------------------------------------------------------- events

  /** Refuses a decision on a call that no longer waits for it: `409 task-over`. */
  private taskOver(record: ApprovalRecord, approver: McpIdentity, task?: TaskRecord): never {
    const how = !task
      ? 'is gone'
      : task.status === 'cancelled' || task.cancelRequested
        ? 'was cancelled'
        : `is over (${task.status})`;
    this.refuse(
      record,
      approver,
      'task-over',
      `The task is over: the call ${how} and no longer waits for this approval`,
    );
  }

  private refuse(
    record: ApprovalRecord,
    approver: McpIdentity,
    reason: ApprovalRefusal['reason'],
    message: string,
  ): never {
    this.publish(record, 'refused', partyOf(approver), reason);
    throw new ApprovalRefusal(reason, message);
  }

  /** Publishes a refusal of a request that names no approval found. */
  publishRefusal(
    named: { approvalId?: string },
    approver: McpIdentity | undefined,
    reason: string,
  ): void {
    if (!approvalEvents.hasSubscribers) return;
    approvalEvents.publish({
      server: 'approvals',
      tool: '',
      outcome: 'refused',
      ...(named.approvalId && { approvalId: named.approvalId }),
      ...(approver && { subject: approver.subject }),
      ...(approver?.tenant && { tenant: approver.tenant }),
      reason,
    } satisfies ApprovalEvent);
  }

  private publish(
    record: ApprovalRecord,
    outcome: ApprovalEvent['outcome'],
    actor: ApprovalCaller,
    reason?: string,
  ): void {
    const level = outcome === 'refused' ? 'warn' : 'log';
    this.logger[level](
      `Approval ${record.approvalId} of ${record.tool} (${record.server}): ${outcome}${reason ? ` (${reason})` : ''}${actor.subject ? ` by ${actor.subject}` : ''}`,
    );
    if (!approvalEvents.hasSubscribers) return;
    approvalEvents.publish({
      server: record.server,
      tool: record.tool,
      outcome,
      approvalId: record.approvalId,
      taskId: record.taskId,
      ...(actor.subject !== undefined && { subject: actor.subject }),
      ...(actor.tenant !== undefined && { tenant: actor.tenant }),
      ...(record.caller.subject !== undefined && { caller: record.caller.subject }),
      ...(reason !== undefined && { reason }),
    } satisfies ApprovalEvent);
  }
}
