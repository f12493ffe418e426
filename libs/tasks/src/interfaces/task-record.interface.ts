import type { McpIdentity } from '@rampart/core';

/** Status of a task, as both protocol revisions name them. */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** Whether a status is terminal: nothing changes a task after it. */
export const isTerminal = (status: TaskStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled';

/** A JSON-RPC error, as a failed task keeps it. */
export interface TaskError {
  code: number;
  message: string;
  data?: unknown;
}

/** Who created a task: only they (or an admin of their tenant) may see, read or cancel it. */
export interface TaskOwner {
  subject?: string;
  tenant?: string;
}

/** What a compensating action did, recorded on the task. */
export interface TaskCompensation {
  /** `running` while it runs; `done`: it returned; `failed`: it threw. */
  status: 'running' | 'done' | 'failed';
  /** Why it ran: the task failed or was cancelled. */
  reason: 'failed' | 'cancelled';
  /** Its error message, when it failed. */
  message?: string;
  /** When it started or ended, in epoch milliseconds. */
  at: number;
  /** The run that carries it out (one only). */
  by?: string;
}

/**
 * One task, as a {@link TaskStore} keeps it: the call it runs, its state, its result or error,
 * and the bookkeeping of its runs (attempts, the worker's lease). Plain JSON.
 */
export interface TaskRecord {
  taskId: string;
  /** Name of the Rampart server the task belongs to. */
  server: string;
  /** The tool the task runs, and its arguments. */
  tool: string;
  arguments: Record<string, unknown>;
  status: TaskStatus;
  statusMessage?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  lastUpdatedAt: number;
  /** Time the task is kept from creation; `null` for unlimited. */
  ttlMs: number | null;
  pollIntervalMs: number;
  /** How the task was asked for: the tasks extension, 2025-11-25 augmentation, or a handle. */
  via: 'extension' | 'augmented' | 'handle';
  /** The era and transport of the call that created it, for its runs. */
  era: 'modern' | 'legacy';
  transport?: 'http' | 'stdio' | 'memory';
  protocolVersion?: string;
  owner?: TaskOwner;
  /** The caller's identity, which each run sees (guards, `ctx.identity`). */
  identity?: McpIdentity;
  /** Client capabilities the creating request declared (what input the task may ask for). */
  clientCapabilities?: Record<string, unknown>;
  clientInfo?: { name: string; version: string };
  /** The creating request's `_meta` (trace context, your own keys), without the envelope. */
  meta?: Record<string, unknown>;
  /** Answers the client gave so far, by input key. */
  answers: Record<string, unknown>;
  /** Questions waiting for an answer while `input_required`, by input key. */
  inputRequests?: Record<string, unknown>;
  /** The tool's result, once completed (a `CallToolResult`, `isError` included). */
  result?: Record<string, unknown>;
  /** The JSON-RPC error, once failed. */
  error?: TaskError;
  /**
   * Runs started since the task last made progress (asked for input), and the most allowed:
   * runs whose worker stopped count against `maxAttempts`.
   */
  attempts: number;
  /** Whether a run of the method ever started (then failing or cancelling compensates). */
  started?: boolean;
  maxAttempts: number;
  /** The worker running the task and until when its claim holds (epoch ms), while it runs. */
  lease?: { worker: string; until: number };
  /** Set when a client cancelled: the running worker aborts `ctx.signal`. */
  cancelRequested?: boolean;
  /** What the tool's compensating action did, when it ran. */
  compensation?: TaskCompensation;
  /** The approval the call needs (`@RequiresApproval()`), when it needs one. */
  approvalId?: string;
  /** Set while the task waits for its approval: no worker runs it. */
  awaitingApproval?: boolean;
  /** Bumped on every write: the stores' compare-and-set. */
  version: number;
}
