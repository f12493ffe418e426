import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import {
  createMcpCall,
  isMcpProtocolError,
  JsonRpcErrorCode,
  McpProtocolError,
  McpServers,
  ToolError,
  type McpCall,
  type McpIdentity,
  type ToolEntry,
} from '@rampart/core';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { CompensateMetadata, type CompensationContext } from './decorators/compensate.decorator';
import { TaskMetadata } from './decorators/task.decorator';
import {
  COMPENSATION_NOT_FOUND,
  TASK_ALREADY_TERMINAL,
  TASK_CANCELLED,
  TASK_IDEMPOTENCY_KEY_REUSED,
  TASK_NOT_FOUND,
  WORKER_LOST,
} from './errors/messages.constant';
import { TaskIdempotencyKeyReusedError } from './errors/task-idempotency-key-reused.error';
import { TasksDefinitionError } from './errors/tasks-definition.error';
import type { TaskOptions } from './interfaces/task-options.interface';
import {
  isTerminal,
  type TaskError,
  type TaskOwner,
  type TaskRecord,
} from './interfaces/task-record.interface';
import type { TasksModuleOptions } from './interfaces/tasks-module-options.interface';
import { TaskQueue } from './runner/task-queue.interface';
import { ownerKey } from './storage/in-memory-task.store';
import { argumentsFingerprint, taskIdempotencyKey } from './storage/task-idempotency';
import { TaskStore, type TaskIdempotency } from './storage/task.store';
import { taskRuns } from './task-runs';
import { runApproved } from './approvals/approved-run';
import {
  DEFAULT_ADMIN_SCOPE,
  DEFAULT_ATTEMPTS,
  DEFAULT_LEASE_MS,
  DEFAULT_LIST_PAGE_SIZE,
  DEFAULT_MAX_TASK_TTL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_TASK_TTL_MS,
  IDEMPOTENCY_META_KEY,
  IDEMPOTENT_METADATA_KEY,
} from './tasks.constants';
import { TASKS_MODULE_OPTIONS } from './tasks.module-definition';

/** How a task is asked for, as {@link TasksService.create} takes it. */
export interface TaskCreation {
  via: TaskRecord['via'];
  /** A 2025-11-25 client's `task.ttl`, capped by `maxTtlMs`. */
  requestedTtlMs?: number;
  /** Answers gathered before the task (multi-round input on the request). */
  answers?: Record<string, unknown>;
  /**
   * The approval the task waits for: it is stored `working` with `awaitingApproval`, not
   * queued, and kept at least until the approval has expired plus its TTL.
   */
  approval?: { approvalId: string; expiresAt: number; statusMessage: string };
}

/**
 * Decides whether a run of a task held for an approval may go on: resolves with the tool
 * error to answer instead, or `undefined` to run (set by the approvals service).
 */
export type ApprovalGate = (t: TaskRecord) => Promise<ToolError | undefined>;

/** One run in progress on this process. */
interface Running {
  token: string;
  controller: AbortController;
}

const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

/**
 * The tasks of every server of the app: creating them (durably, before the client hears of
 * them), reading them for their owner only, answering their questions, cancelling them, and
 * running them — claimed under a lease that heartbeats renew, so that a task whose worker
 * stopped is run again (or failed) by another replica's sweep instead of staying `working`.
 *
 * A run is a `tools/call` of the task's tool, served by the server's dispatcher like any other
 * (request hooks, guards, interceptors, pipes), detached from any connection: its input comes in
 * rounds (`ctx.elicit()` parks the task in `input_required`), and `ctx.signal` aborts when the
 * task is cancelled.
 */
@Injectable()
export class TasksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Tasks');
  /** This process's worker id, in leases. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Map<string, Running>();
  private readonly changes = new EventEmitter();
  private heartbeat?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private runSeq = 0;
  private stopping = false;
  /** Checks (and consumes) the approval of a task before it runs; set by the approvals. */
  approvalGate?: ApprovalGate;
  readonly ttlMs: number;
  readonly maxTtlMs: number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  readonly attempts: number;
  readonly adminScope: string;

  constructor(
    @Inject(TASKS_MODULE_OPTIONS) readonly options: TasksModuleOptions,
    @Inject(TaskStore) readonly store: TaskStore,
    @Inject(TaskQueue) readonly queue: TaskQueue,
    private readonly servers: McpServers,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TASK_TTL_MS;
    this.maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_TASK_TTL_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.adminScope = options.adminScope ?? DEFAULT_ADMIN_SCOPE;
    this.changes.setMaxListeners(0);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.checkCompensations();
    await this.queue.start((taskId) => this.run(taskId));
    const beat = Math.max(10, Math.floor(this.leaseMs / 3));
    this.heartbeat = setInterval(() => void this.beat(), beat);
    this.heartbeat.unref();
    this.sweeper = setInterval(() => void this.sweep(), beat);
    this.sweeper.unref();
  }

  /**
   * Stops taking tasks. Runs still going are abandoned, not finished: their `ctx.signal` aborts
   * and their lease is given up, so another replica's sweep runs them again (or fails them) as
   * their `attempts` allow, as it would had this process died.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    const abandoned = [...this.running].map(([taskId, run]) => {
      run.controller.abort(
        new ToolError('UNAVAILABLE', 'The server is shutting down', { retryable: true }),
      );
      return this.store
        .update(taskId, (t) =>
          t.lease?.worker === run.token
            ? { ...t, lease: { worker: run.token, until: 0 } }
            : undefined,
        )
        .catch(() => undefined);
    });
    await Promise.all(abandoned);
    await this.queue.close(true);
  }

  // ------------------------------------------------------------------------------ declarations

  /** The `@Task()` options of a tool (none for tools added at run time). */
  optionsOf(tool: ToolEntry): TaskOptions {
    return tool.handler.kind === 'method'
      ? (this.reflector.get(TaskMetadata, tool.handler.method) ?? {})
      : {};
  }

  /** Whether a tool gives clients without tasks a handle. */
  handlesFor(tool: ToolEntry): boolean {
    return this.optionsOf(tool).handle ?? this.options.handles ?? false;
  }

  private checkCompensations(): void {
    for (const host of this.servers.all())
      for (const tool of host.registry.tools.list()) {
        if (tool.handler.kind !== 'method') continue;
        const method = this.reflector.get(CompensateMetadata, tool.handler.method);
        if (method && typeof tool.handler.type.prototype[method] !== 'function')
          throw new TasksDefinitionError(COMPENSATION_NOT_FOUND(tool.name, method));
      }
  }

  // ---------------------------------------------------------------------------------- creation

  /**
   * Creates the task of a `tools/call` and queues its first run. Resolves once the task is
   * stored, so that a `tasks/get` for it on any replica finds it.
   */
  async create(call: McpCall, tool: ToolEntry, how: TaskCreation): Promise<TaskRecord> {
    const options = this.optionsOf(tool);
    const now = Date.now();
    const asked =
      how.requestedTtlMs !== undefined
        ? Math.min(Math.max(1, Math.round(how.requestedTtlMs)), this.maxTtlMs)
        : (options.ttlMs ?? this.ttlMs);
    // A task held for an approval outlives it: its TTL runs from the approval's expiry.
    const ttlMs = how.approval ? how.approval.expiresAt - now + asked : asked;
    const origin = call.origin;
    const record: TaskRecord = {
      taskId: randomUUID(),
      server: call.server,
      tool: tool.name,
      arguments: { ...call.arguments },
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs,
      pollIntervalMs: options.pollIntervalMs ?? this.pollIntervalMs,
      via: how.via,
      era: origin.era,
      transport: origin.transport,
      ...(origin.protocolVersion && { protocolVersion: origin.protocolVersion }),
      ...(origin.identity && {
        owner: ownerOf(origin.identity),
        identity: plainIdentity(origin.identity),
      }),
      ...(origin.clientCapabilities && {
        clientCapabilities: origin.clientCapabilities as Record<string, unknown>,
      }),
      ...(origin.clientInfo && {
        clientInfo: { name: origin.clientInfo.name, version: origin.clientInfo.version },
      }),
      ...(call.meta && { meta: jsonOf(call.meta) }),
      answers: { ...how.answers },
      attempts: 0,
      maxAttempts: options.attempts ?? this.attempts,
      // Held while queued too: a task whose job is lost (its worker died before claiming it, its
      // process died with an in-process queue) is queued again by a sweep once the lease ends.
      // A task held for an approval is neither queued nor leased until it is approved.
      ...(how.approval
        ? {
            approvalId: how.approval.approvalId,
            awaitingApproval: true,
            statusMessage: how.approval.statusMessage,
          }
        : { lease: this.queuedLease(now) }),
      version: 0,
    };
    if (how.approval) {
      await this.store.create(record);
      return record;
    }
    const once = this.idempotencyOf(call, tool);
    if (!once) await this.store.create(record);
    else {
      const made = await this.store.createOnce(record, once.store);
      if (made.outcome === 'conflict')
        throw new TaskIdempotencyKeyReusedError(TASK_IDEMPOTENCY_KEY_REUSED(once.key, tool.name), {
          suggestions: ['Use a new idempotency key for a call with different arguments'],
        });
      // The key's task: created by an earlier call of the same caller, queued by it.
      if (made.outcome === 'existing') return made.record;
    }
    await this.queue.enqueue(record.taskId, runKey(record));
    return record;
  }

  /**
   * Lets a task held for its approval run: queued as a new task is. Resolves with the task, or
   * `undefined` when it no longer waits (cancelled, expired, ended).
   */
  async release(taskId: string, statusMessage: string): Promise<TaskRecord | undefined> {
    let released = false;
    const updated = await this.store.update(taskId, (t) => {
      if (!t.awaitingApproval || t.status !== 'working' || t.cancelRequested) return undefined;
      released = true;
      const now = Date.now();
      return {
        ...t,
        awaitingApproval: undefined,
        statusMessage,
        lastUpdatedAt: now,
        lease: this.queuedLease(now),
      };
    });
    if (!updated || !released) return undefined;
    this.changed(updated);
    await this.queue.enqueue(taskId, runKey(updated));
    return updated;
  }

  /**
   * Ends a task held for its approval without running it, with `result` (the tool error of a
   * denial or an expiry). Resolves with the task, or `undefined` when it no longer waits.
   */
  async settle(taskId: string, result: Record<string, unknown>): Promise<TaskRecord | undefined> {
    let settled = false;
    const updated = await this.store.update(taskId, (t) => {
      if (!t.awaitingApproval || isTerminal(t.status)) return undefined;
      settled = true;
      return {
        ...t,
        awaitingApproval: undefined,
        status: 'completed',
        result,
        statusMessage: undefined,
        lastUpdatedAt: Date.now(),
      };
    });
    if (!updated || !settled) return undefined;
    this.changed(updated);
    return updated;
  }

  /**
   * The idempotency key of a call of a tool with `@Idempotent()` (of `@rampart/resilience`):
   * `_meta['io.rampart/idempotency-key']`, else the argument it names; scoped by server, tool,
   * tenant and subject. None for other tools, or a call without a key.
   */
  private idempotencyOf(
    call: McpCall,
    tool: ToolEntry,
  ): { key: string; store: TaskIdempotency } | undefined {
    if (tool.handler.kind !== 'method') return undefined;
    const declared = this.reflector.get<{ ttlMs: number; argument?: string } | undefined>(
      IDEMPOTENT_METADATA_KEY,
      tool.handler.method,
    );
    if (!declared) return undefined;
    const fromMeta = call.meta?.[IDEMPOTENCY_META_KEY];
    const args = call.arguments ?? {};
    const fromArgs = declared.argument === undefined ? undefined : args[declared.argument];
    const key =
      typeof fromMeta === 'string' && fromMeta
        ? fromMeta
        : typeof fromArgs === 'string' && fromArgs
          ? fromArgs
          : undefined;
    if (key === undefined) return undefined;
    return {
      key,
      store: {
        key: taskIdempotencyKey(call.server, tool.name, call.origin.identity, key),
        fingerprint: argumentsFingerprint(args),
        ttlMs: declared.ttlMs,
      },
    };
  }

  /**
   * The lease of a queued task until a worker claims it: no claim in time (its job lost) lets a
   * sweep queue it again.
   */
  private queuedLease(now: number): TaskRecord['lease'] {
    return { worker: `queue:${this.workerId}`, until: now + this.leaseMs };
  }

  // ------------------------------------------------------------------------------ owners' view

  /**
   * The task `taskId` as `call`'s caller may see it: the identity that created it, or an admin
   * of its tenant. Any other task, like an unknown or expired id, is `-32602` Task not found.
   */
  async find(call: McpCall, taskId: unknown): Promise<TaskRecord> {
    if (typeof taskId !== 'string' || !taskId)
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: "taskId" must be a string',
      );
    const record = await this.store.get(taskId);
    if (!record || record.server !== call.server || !this.mayAccess(call.origin.identity, record))
      throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, TASK_NOT_FOUND());
    return record;
  }

  /** Whether `identity` may see the task: its owner, or an admin of the owner's tenant. */
  mayAccess(identity: McpIdentity | undefined, record: TaskRecord): boolean {
    const owner = record.owner;
    if (!owner) return !identity;
    if (!identity) return false;
    if ((identity.tenant ?? undefined) !== (owner.tenant ?? undefined)) return false;
    return identity.subject === owner.subject || !!identity.scopes?.includes(this.adminScope);
  }

  /** A page of the caller's own tasks, newest first (2025-11-25 `tasks/list`). */
  async list(
    call: McpCall,
    cursor: unknown,
  ): Promise<{ tasks: TaskRecord[]; nextCursor?: string }> {
    if (cursor !== undefined && (typeof cursor !== 'string' || !/^\d+$/.test(cursor)))
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid cursor: ${JSON.stringify(cursor)}`,
      );
    const identity = call.origin.identity;
    const key = ownerKey(call.server, identity && ownerOf(identity));
    const page = await this.store.list(key, cursor, DEFAULT_LIST_PAGE_SIZE);
    const tasks: TaskRecord[] = [];
    for (const id of page.taskIds) {
      const record = await this.store.get(id);
      if (record && this.mayAccess(identity, record)) tasks.push(record);
    }
    return { tasks, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
  }

  // ------------------------------------------------------------------------------ input, cancel

  /**
   * Takes the client's answers to open questions (`tasks/update`, or answers a 2025-11-25 client
   * gave on `tasks/result`). Answers to keys that are not open are ignored; once no question is
   * open, the task runs again with every answer.
   */
  async answer(record: TaskRecord, responses: Record<string, unknown>): Promise<TaskRecord> {
    let resumed = false;
    const updated = await this.store.update(record.taskId, (t) => {
      if (t.status !== 'input_required' || !t.inputRequests) return undefined;
      const open = { ...t.inputRequests };
      const answers = { ...t.answers };
      let changed = false;
      for (const [key, value] of Object.entries(responses))
        if (Object.hasOwn(open, key)) {
          answers[key] = value;
          delete open[key];
          changed = true;
        }
      if (!changed) return undefined;
      const now = Date.now();
      resumed = Object.keys(open).length === 0;
      return resumed
        ? {
            ...t,
            answers,
            inputRequests: undefined,
            status: 'working',
            statusMessage: undefined,
            lastUpdatedAt: now,
            lease: this.queuedLease(now),
          }
        : { ...t, answers, inputRequests: open, lastUpdatedAt: now };
    });
    if (!updated) return record;
    this.changed(updated);
    if (resumed) await this.queue.enqueue(updated.taskId, runKey(updated));
    return updated;
  }

  /**
   * Cancels a task that is not over: it is `cancelled` at once (and stays so), its run's
   * `ctx.signal` aborts, and its compensating action runs once the method has stopped. A task
   * already over is left as it is; `strict` (2025-11-25) refuses it with `-32602`.
   */
  async cancel(record: TaskRecord, strict: boolean): Promise<TaskRecord> {
    let cancelled = false;
    const updated = await this.store.update(record.taskId, (t) => {
      if (isTerminal(t.status)) return undefined;
      cancelled = true;
      return {
        ...t,
        status: 'cancelled',
        cancelRequested: true,
        statusMessage: TASK_CANCELLED(),
        inputRequests: undefined,
        lastUpdatedAt: Date.now(),
        // A queued task that never ran has nothing to wait for.
        ...(t.lease?.worker.startsWith('queue:') && { lease: undefined }),
      };
    });
    if (!updated) throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, TASK_NOT_FOUND());
    if (!cancelled) {
      if (strict)
        throw new McpProtocolError(
          JsonRpcErrorCode.InvalidParams,
          TASK_ALREADY_TERMINAL(updated.status),
        );
      return updated;
    }
    this.changed(updated);
    this.running.get(updated.taskId)?.controller.abort(cancelledReason());
    // Not running anywhere: its method stopped before (parked for input) or never started.
    if (!updated.lease) await this.compensate(updated, 'cancelled');
    return updated;
  }

  // ---------------------------------------------------------------------------------- waiting

  /**
   * Resolves with the task once it has changed from `version` (or after `maxWaitMs`, or at
   * once when `signal` aborts): changes made in this process wake it at once, others are seen
   * by polling the store.
   */
  async waitForChange(
    taskId: string,
    version: number,
    signal: AbortSignal,
    maxWaitMs: number,
  ): Promise<TaskRecord | undefined> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.changes.off(taskId, done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.changes.on(taskId, done);
      signal.addEventListener('abort', done, { once: true });
    });
    const record = await this.store.get(taskId);
    return record && record.version !== version ? record : record;
  }

  /** Wakes the waiters of a task that changed in this process. */
  changed(record: TaskRecord): void {
    this.changes.emit(record.taskId, record);
  }

  // --------------------------------------------------------------------------------------- runs

  /**
   * Runs a task once, if it can be claimed: it is `working`, not cancelled, and no other live
   * worker holds it. The queue's processor.
   */
  async run(taskId: string): Promise<void> {
    const token = `${this.workerId}#${++this.runSeq}`;
    const now = Date.now();
    let gaveUp = false;
    const claimed = await this.store.update(taskId, (t) => {
      if (t.status !== 'working' || t.cancelRequested || t.awaitingApproval) return undefined;
      const lease = t.lease;
      if (lease && !lease.worker.startsWith('queue:') && lease.until > now) return undefined;
      if (t.attempts >= t.maxAttempts) {
        gaveUp = true;
        return this.failed(t, {
          code: JsonRpcErrorCode.InternalError,
          message: WORKER_LOST(t.attempts),
        });
      }
      return {
        ...t,
        attempts: t.attempts + 1,
        started: true,
        lease: { worker: token, until: now + this.leaseMs },
      };
    });
    if (!claimed) return;
    if (gaveUp) {
      this.changed(claimed);
      await this.compensate(claimed, 'failed');
      return;
    }
    if (claimed.lease?.worker !== token) return;
    const host = this.servers.find(claimed.server);
    if (!host) {
      await this.finish(claimed, token, {
        error: {
          code: JsonRpcErrorCode.InternalError,
          message: `No MCP server named ${claimed.server}`,
        },
      });
      return;
    }
    if (claimed.approvalId) {
      // No configured approvals: nothing can show the approval, so the call does not run.
      const refused = this.approvalGate
        ? await this.approvalGate(claimed)
        : new ToolError('APPROVAL_INVALID', 'Approvals are not configured on this server', {
            fault: 'caller',
          });
      if (refused) {
        await this.finish(claimed, token, { result: toToolErrorResult(refused) });
        return;
      }
    }
    const controller = new AbortController();
    this.running.set(taskId, { token, controller });
    const call = this.callOf(claimed, controller.signal, this.progressOf(taskId, token));
    taskRuns.set(call, claimed);
    let outcome: Outcome;
    try {
      const result = await (claimed.approvalId
        ? // The approval was just consumed: the method of `@RequiresApproval()` may run.
          runApproved(methodOf(host.registry.tools.get(claimed.tool)), () =>
            host.dispatcher.dispatch(call, true),
          )
        : host.dispatcher.dispatch(call, true));
      outcome = { result };
    } catch (error) {
      outcome = { error: toTaskError(error, this.logger, claimed) };
    } finally {
      this.running.delete(taskId);
    }
    await this.finish(claimed, token, outcome);
  }

  /**
   * The `tools/call` of a task's run. Its `ctx.progress()` always reports (the client's own
   * `progressToken`, or the task id): each report becomes the task's `statusMessage`.
   */
  private callOf(
    t: TaskRecord,
    signal: AbortSignal,
    notify: McpCall['notify'] = () => Promise.resolve(),
  ): McpCall {
    const noop = () => Promise.resolve();
    return createMcpCall({
      server: t.server,
      id: `task:${t.taskId}:${t.attempts}`,
      method: 'tools/call',
      params: { name: t.tool, arguments: t.arguments, ...(t.meta && { _meta: t.meta }) },
      meta: { ...t.meta, progressToken: t.meta?.progressToken ?? t.taskId },
      envelope: { [CLIENT_CAPABILITIES]: t.clientCapabilities ?? {} },
      origin: {
        transport: t.transport ?? 'http',
        era: t.era,
        ...(t.protocolVersion && { protocolVersion: t.protocolVersion }),
        ...(t.identity && { identity: t.identity }),
        ...(t.clientInfo && { clientInfo: t.clientInfo }),
        ...(t.clientCapabilities && { clientCapabilities: t.clientCapabilities }),
      },
      signal,
      inputResponses: t.answers,
      rounds: true,
      notify,
      log: noop,
      send: () =>
        Promise.reject(
          new Error('A task asks for input with ctx.elicit(), ctx.sample() or ctx.listRoots()'),
        ),
    });
  }

  /**
   * Where a run's notifications go: its progress reports become the task's `statusMessage`
   * (the report's message, or `progress/total`) while the run holds the task. Writes are made
   * one at a time; reports that arrive meanwhile are coalesced into the latest.
   */
  private progressOf(taskId: string, token: string): McpCall['notify'] {
    let latest: string | undefined;
    let writing: Promise<void> | undefined;
    const write = async (): Promise<void> => {
      while (latest !== undefined) {
        const statusMessage = latest;
        latest = undefined;
        const updated = await this.store
          .update(taskId, (t) =>
            t.status === 'working' && t.lease?.worker === token && t.statusMessage !== statusMessage
              ? { ...t, statusMessage, lastUpdatedAt: Date.now() }
              : undefined,
          )
          .catch((e: Error) => {
            this.logger.warn(`Progress of task ${taskId} was not recorded: ${e.message}`);
            return undefined;
          });
        if (updated?.statusMessage === statusMessage) this.changed(updated);
      }
    };
    const kick = (): Promise<void> =>
      (writing ??= write().finally(() => {
        writing = undefined;
        if (latest !== undefined) void kick();
      }));
    return (notification) => {
      if (notification.method !== 'notifications/progress') return Promise.resolve();
      const p = (notification.params ?? {}) as {
        progress?: number;
        total?: number;
        message?: unknown;
      };
      latest =
        typeof p.message === 'string'
          ? p.message
          : `${p.progress ?? 0}${typeof p.total === 'number' ? `/${p.total}` : ''}`;
      return kick();
    };
  }

  /** Records the outcome of a run that this process still holds. */
  private async finish(claimed: TaskRecord, token: string, outcome: Outcome): Promise<void> {
    // Abandoned on shutdown: the lease is given up, another replica decides.
    if (this.stopping) return;
    const now = Date.now();
    const updated = await this.store.update(claimed.taskId, (t) => {
      if (t.lease?.worker !== token) return undefined;
      if (t.status === 'cancelled') return { ...t, lease: undefined };
      if ('error' in outcome) return { ...this.failed(t, outcome.error), lease: undefined };
      const result = outcome.result;
      if (result.resultType === 'input_required') {
        const asked = (result.inputRequests ?? {}) as Record<string, unknown>;
        const open = Object.fromEntries(
          Object.entries(asked).filter(([key]) => !Object.hasOwn(t.answers, key)),
        );
        // A run that asked for input ended as it should: the next one is a first attempt again.
        return {
          ...t,
          status: 'input_required',
          inputRequests: open,
          attempts: 0,
          lastUpdatedAt: now,
          lease: undefined,
        };
      }
      const { resultType: _r, requestState: _s, ...plain } = result;
      return {
        ...t,
        status: 'completed',
        result: plain,
        statusMessage: undefined,
        lastUpdatedAt: now,
        lease: undefined,
      };
    });
    if (!updated || updated.lease) return;
    this.changed(updated);
    if (updated.status === 'failed') await this.compensate(updated, 'failed');
    else if (updated.status === 'cancelled') await this.compensate(updated, 'cancelled');
  }

  private failed(t: TaskRecord, error: TaskError): TaskRecord {
    return {
      ...t,
      status: 'failed',
      error,
      statusMessage: error.message,
      inputRequests: undefined,
      lastUpdatedAt: Date.now(),
      lease: undefined,
    };
  }

  /** Renews the leases of this process's runs; aborts a run whose task was cancelled. */
  private async beat(): Promise<void> {
    const until = Date.now() + this.leaseMs;
    for (const [taskId, run] of this.running)
      try {
        const record = await this.store.update(taskId, (t) =>
          t.lease?.worker === run.token ? { ...t, lease: { worker: run.token, until } } : undefined,
        );
        if (!record || record.lease?.worker !== run.token || record.cancelRequested)
          run.controller.abort(cancelledReason());
      } catch (e) {
        this.logger.warn(`Heartbeat of task ${taskId} failed: ${(e as Error).message}`);
      }
  }

  /**
   * Takes over the tasks whose worker stopped (lease ended): runs them again while they have
   * attempts left, fails them otherwise; cancelled ones get their compensation.
   */
  async sweep(): Promise<void> {
    try {
      const now = Date.now();
      for (const taskId of await this.store.expiredLeases(now, 100)) {
        let requeue = false;
        let over: 'failed' | 'cancelled' | undefined;
        const updated = await this.store.update(taskId, (t) => {
          if (!t.lease || t.lease.until >= now) return undefined;
          if (t.status === 'cancelled') {
            over = 'cancelled';
            return { ...t, lease: undefined };
          }
          if (t.status !== 'working') return { ...t, lease: undefined };
          if (t.attempts >= t.maxAttempts) {
            over = 'failed';
            return this.failed(t, {
              code: JsonRpcErrorCode.InternalError,
              message: WORKER_LOST(t.attempts),
            });
          }
          requeue = true;
          return { ...t, lease: this.queuedLease(now), lastUpdatedAt: now };
        });
        if (!updated) continue;
        this.changed(updated);
        if (requeue) await this.queue.enqueue(taskId, runKey(updated));
        else if (over) await this.compensate(updated, over);
      }
    } catch (e) {
      this.logger.warn(`Task sweep failed: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------------------------ compensation

  /**
   * Runs the tool's `@Compensate()` method once for a task that failed or was cancelled after
   * its method started, and records what it did.
   */
  private async compensate(t: TaskRecord, reason: 'failed' | 'cancelled'): Promise<void> {
    if (!t.started || t.compensation) return;
    const tool = this.servers.find(t.server)?.registry.tools.get(t.tool);
    if (!tool || tool.handler.kind !== 'method') return;
    const method = this.reflector.get(CompensateMetadata, tool.handler.method);
    if (!method) return;
    const by = `${this.workerId}#${++this.runSeq}`;
    const claimed = await this.store.update(t.taskId, (c) =>
      c.compensation
        ? undefined
        : { ...c, compensation: { status: 'running', reason, at: Date.now(), by } },
    );
    if (claimed?.compensation?.by !== by) return;
    const info: CompensationContext = {
      taskId: t.taskId,
      tool: t.tool,
      reason,
      ...(t.error && { error: { code: t.error.code, message: t.error.message } }),
      ...(t.identity && {
        identity: {
          subject: t.identity.subject,
          ...(t.identity.tenant && { tenant: t.identity.tenant }),
        },
      }),
    };
    let compensation: TaskRecord['compensation'];
    try {
      const instance = this.moduleRef.get(tool.handler.type, { strict: false }) as Record<
        string,
        (args: unknown, info: CompensationContext) => unknown
      >;
      await instance[method](t.arguments, info);
      compensation = { status: 'done', reason, at: Date.now() };
    } catch (e) {
      this.logger.error(
        `Compensation ${method} of task ${t.taskId} (${t.tool}) failed`,
        e instanceof Error ? e.stack : String(e),
      );
      compensation = {
        status: 'failed',
        reason,
        message: e instanceof Error ? e.message : String(e),
        at: Date.now(),
      };
    }
    const updated = await this.store.update(t.taskId, (c) => ({
      ...c,
      compensation: { ...compensation!, by },
    }));
    if (updated) this.changed(updated);
  }
}

type Outcome = { result: Record<string, unknown> } | { error: TaskError };

/** The JSON-RPC error a failed run records: a protocol error as it is, anything else masked. */
function toTaskError(error: unknown, logger: Logger, t: TaskRecord): TaskError {
  if (isMcpProtocolError(error))
    return {
      code: error.code,
      message: error.message,
      ...(error.data !== undefined && { data: error.data }),
    };
  logger.error(
    `Task ${t.taskId} (${t.tool}) failed unexpectedly`,
    error instanceof Error ? error.stack : String(error),
  );
  return { code: JsonRpcErrorCode.InternalError, message: 'Internal error' };
}

/**
 * Names the run a task is queued for: its attempts and the answers it has. A task queued again
 * while its job still waits (a sweep after its queued lease ended) gets the same key, so a queue
 * may drop the second job; a run after a lost worker, or after new answers, gets another.
 */
function runKey(t: TaskRecord): string {
  return `${t.attempts}.${Object.keys(t.answers).length}`;
}

/** Why a run's `ctx.signal` aborts: a tool error, so that a method that rethrows it is quiet. */
function cancelledReason(): ToolError {
  return new ToolError('CANCELLED', TASK_CANCELLED(), { fault: 'caller' });
}

/** The owner of a task created by `identity`. */
export function ownerOf(identity: McpIdentity): TaskOwner {
  return { subject: identity.subject, ...(identity.tenant && { tenant: identity.tenant }) };
}

/** An identity as plain JSON, for the store. */
function plainIdentity(identity: McpIdentity): McpIdentity {
  return jsonOf(identity) as unknown as McpIdentity;
}

function jsonOf(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** The class method behind a tool, if it is one. */
const methodOf = (tool: ToolEntry | undefined): unknown =>
  tool?.handler.kind === 'method' ? tool.handler.method : undefined;

/** The result of a tool error, as the dispatcher answers one: `isError` and the body as text. */
export function toToolErrorResult(error: ToolError): Record<string, unknown> {
  return { content: [{ type: 'text', text: JSON.stringify(error) }], isError: true };
}
