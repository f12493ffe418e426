import type { ApprovalRecord, ApprovalStatus } from './approval.interfaces';
import { APPROVAL_RETENTION_MS, type ApprovalStore } from './approval.store';

/**
 * Approvals in this process's memory, for one replica. Records are dropped a day after their
 * expiry (checked when approvals are listed).
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ approvals: { keys, storage: new InMemoryApprovalStore() } });
 * ```
 */
export class InMemoryApprovalStore implements ApprovalStore {
  private readonly records = new Map<string, ApprovalRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  create(record: ApprovalRecord): Promise<void> {
    if (this.records.has(record.approvalId))
      return Promise.reject(new Error(`Approval ${record.approvalId} exists already`));
    this.records.set(record.approvalId, structuredClone(record));
    return Promise.resolve();
  }

  get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const record = this.records.get(approvalId);
    if (record && record.expiresAt + APPROVAL_RETENTION_MS <= this.now()) {
      this.records.delete(approvalId);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(record && structuredClone(record));
  }

  transition(
    approvalId: string,
    from: readonly ApprovalStatus[],
    next: ApprovalRecord,
  ): Promise<boolean> {
    const current = this.records.get(approvalId);
    if (!current || !from.includes(current.status) || current.signature !== next.signature)
      return Promise.resolve(false);
    this.records.set(approvalId, structuredClone(next));
    return Promise.resolve(true);
  }

  pending(limit: number): Promise<ApprovalRecord[]> {
    const now = this.now();
    const found: ApprovalRecord[] = [];
    for (const [id, r] of this.records) {
      if (r.expiresAt + APPROVAL_RETENTION_MS <= now) this.records.delete(id);
      else if (r.status === 'pending') found.push(structuredClone(r));
    }
    return Promise.resolve(found.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit));
  }

  async expiredPending(now: number, limit: number): Promise<string[]> {
    return (await this.pending(Number.MAX_SAFE_INTEGER))
      .filter((r) => r.expiresAt < now)
      .slice(0, limit)
      .map((r) => r.approvalId);
  }
}
