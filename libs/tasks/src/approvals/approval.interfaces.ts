import type { IncomingMessage } from 'node:http';
import type { McpIdentity } from '@rampart/core';
import type { ApprovalNotifier } from './approval-notifier';
import type { ApprovalStore } from './approval.store';

/** Options of `@RequiresApproval()`: who may approve a call, for how long it waits, and why. */
export interface RequiresApprovalOptions {
  /** The scope an approver must hold (in the caller's tenant), e.g. `pages:approve`. */
  approvers: string;
  /**
   * How long the approval may be given, from the call, in milliseconds; past it the approval
   * expires and the call is not run.
   * @default the module's `approvals.ttlMs` (15 minutes)
   */
  ttlMs?: number;
  /** Why the tool needs an approval, shown to the approvers. */
  reason?: string;
}

/** One key that signs approvals: an id (`kid`, recorded on each approval) and its secret. */
export interface ApprovalKey {
  kid: string;
  /** At least 32 bytes; as a string (UTF-8) or bytes. */
  secret: string | Uint8Array;
}

/** Status of an approval. `used`: approved, and its call has been claimed by a run. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'used';

/** Who made the call an approval is for. */
export interface ApprovalCaller {
  subject?: string;
  tenant?: string;
}

/**
 * One approval, as an {@link ApprovalStore} keeps it. The request (what is signed) binds the
 * caller, the server, the tool, the hash of the canonical arguments, the task and the expiry;
 * the decision is signed too, so a record written into the store without the keys runs nothing.
 */
export interface ApprovalRecord {
  approvalId: string;
  server: string;
  tool: string;
  /** SHA-256 (hex) of the canonical JSON of the call's arguments. */
  argumentsHash: string;
  caller: ApprovalCaller;
  /** The task that runs the call once approved. */
  taskId: string;
  /** The scope an approver needs. */
  approvers: string;
  reason?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  /** Id of the key that signed the request. */
  kid: string;
  /** HMAC-SHA256 (base64url) of the request. */
  signature: string;
  status: ApprovalStatus;
  /** Who decided (approved or denied), when, and why (a denial's reason). */
  decidedBy?: ApprovalCaller;
  decidedAt?: number;
  comment?: string;
  /** HMAC-SHA256 (base64url) of the decision, by the key `decisionKid`. */
  decisionKid?: string;
  decisionSignature?: string;
  /** When the run claimed it (`used`). */
  usedAt?: number;
}

/**
 * Decides who is calling an approvals endpoint: resolves with the caller's identity (or
 * `undefined` for none), or throws an error carrying an HTTP status (`401`, `403`, `503`).
 */
export type ApprovalsAuthorize = (req: IncomingMessage) => Promise<McpIdentity | undefined>;

/** `TasksModule.forRoot({ approvals })`: approvals of calls to tools that need one. */
export interface ApprovalsOptions {
  /**
   * The keys that sign approvals, the signing key first; every key verifies (rotation: add the
   * new key first, remove the old one once its approvals are over). Every replica needs the same.
   */
  keys: ApprovalKey[];
  /**
   * Where approvals live: any {@link ApprovalStore}.
   * @default in the task store's Redis (keys `<its prefix>approvals:`) when tasks live in Redis
   * through `storage: { redis }`, in memory otherwise
   */
  storage?: ApprovalStore;
  /**
   * How long an approval may be given, from the call, in milliseconds.
   * @default 900000 (15 minutes)
   */
  ttlMs?: number;
  /**
   * Approval for every tool annotated `destructiveHint: true` that has no `@RequiresApproval()`
   * of its own: who approves (a scope), for how long, and why. `false` or unset: none.
   */
  destructive?: RequiresApprovalOptions | false;
  /** Who to tell of each approval asked for (a webhook, a chat). */
  notifiers?: ApprovalNotifier[];
  /**
   * Where the approval endpoints are served on the app's HTTP adapter; `false` serves none.
   * @default '/rampart/approvals'
   */
  path?: string | false;
  /**
   * Who calls the endpoints. Default: the credentials `SecurityModule` (`@rampart/security`)
   * accepts; without it and without `authorize`, the endpoints are not served.
   */
  authorize?: ApprovalsAuthorize;
  /**
   * How often pending approvals past their expiry are expired (their calls end), in
   * milliseconds; a decision after the expiry is refused whatever this is.
   * @default 1000
   */
  sweepIntervalMs?: number;
}
