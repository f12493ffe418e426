import type { ApprovalRecord, ApprovalStatus } from './approval.interfaces';

/**
 * Where approvals live: {@link InMemoryApprovalStore} for one replica, {@link RedisApprovalStore}
 * for every replica. A change of status is atomic (a compare-and-set on the status), so of two
 * replicas that approve the same approval at once, one wins and the other is refused, and an
 * approved call is claimed by one run only.
 *
 * @example
 * ```ts
 * await store.create(record);
 * const won = await store.transition(record.approvalId, ['pending'], { ...record, status: 'approved' });
 * ```
 */
export interface ApprovalStore {
  /** Stores a new approval; resolves once a `get` on any replica finds it. */
  create(record: ApprovalRecord): Promise<void>;
  /** The approval, or `undefined` when there is none (or it is past its retention). */
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Writes `next` in place of the approval if, and only if, its stored status is one of `from`
   * and its stored signature is `next.signature`: resolves `true` when written.
   */
  transition(
    approvalId: string,
    from: readonly ApprovalStatus[],
    next: ApprovalRecord,
  ): Promise<boolean>;
  /** Pending approvals, soonest to expire first, at most `limit`. */
  pending(limit: number): Promise<ApprovalRecord[]>;
  /** Ids of pending approvals whose expiry is before `now`, at most `limit`. */
  expiredPending(now: number, limit: number): Promise<string[]>;
}

/** Injection token of the {@link ApprovalStore}. */
export const ApprovalStore = Symbol.for('rampart:ApprovalStore');

/** How long an approval is kept after its expiry, for the audit of late attempts. */
export const APPROVAL_RETENTION_MS = 24 * 3_600_000;
