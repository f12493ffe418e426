import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ApprovalKey, ApprovalRecord } from './approval.interfaces';

/** Fewest bytes of an approval key's secret. */
export const MIN_APPROVAL_SECRET_BYTES = 32;

/**
 * JSON with object keys sorted at every level (arrays keep their order), so that the same
 * arguments always hash the same, whatever order a client sent them in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON of a call's arguments. */
export function argumentsHash(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args ?? {}))
    .digest('hex');
}

/** What the request signature covers: everything that binds the approval. */
function requestPayload(r: ApprovalRecord): string {
  return canonicalJson({
    v: 1,
    approvalId: r.approvalId,
    server: r.server,
    tool: r.tool,
    argumentsHash: r.argumentsHash,
    caller: { subject: r.caller.subject ?? null, tenant: r.caller.tenant ?? null },
    taskId: r.taskId,
    approvers: r.approvers,
    reason: r.reason ?? null,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    kid: r.kid,
  });
}

/** What the decision signature covers: the request's signature, the decision and who made it. */
function decisionPayload(r: ApprovalRecord, status: 'approved' | 'denied'): string {
  return canonicalJson({
    v: 1,
    approvalId: r.approvalId,
    signature: r.signature,
    status,
    decidedBy: { subject: r.decidedBy?.subject ?? null, tenant: r.decidedBy?.tenant ?? null },
    decidedAt: r.decidedAt ?? null,
    kid: r.decisionKid ?? null,
  });
}

/**
 * Signs and verifies approvals with HMAC-SHA256 under named keys: signs with the first key,
 * verifies with whichever key the record names (`kid`), so keys rotate without voiding the
 * approvals in flight. A record whose key is not configured, or whose signature does not match
 * its fields, does not verify.
 */
export class ApprovalSigner {
  private readonly keys: Map<string, Buffer>;
  private readonly signingKid: string;

  constructor(keys: readonly ApprovalKey[]) {
    const problem = approvalKeysProblem(keys);
    if (problem) throw new Error(problem);
    this.keys = new Map(keys.map((k) => [k.kid, Buffer.from(k.secret)]));
    this.signingKid = keys[0].kid;
  }

  /** The key id new signatures are made with. */
  get kid(): string {
    return this.signingKid;
  }

  /** The request signature of `record` (whose `kid` must be set). */
  signRequest(record: ApprovalRecord): string {
    return this.mac(record.kid, requestPayload(record))!;
  }

  /** The decision signature of `record` (whose `decisionKid`, `decidedBy`, `decidedAt` are set). */
  signDecision(record: ApprovalRecord, status: 'approved' | 'denied'): string {
    return this.mac(record.decisionKid!, decisionPayload(record, status))!;
  }

  /** Whether the request of `record` is as it was signed, by a configured key. */
  verifyRequest(record: ApprovalRecord): boolean {
    return this.matches(this.mac(record.kid, requestPayload(record)), record.signature);
  }

  /** Whether the decision recorded is as it was signed (and the request too). */
  verifyDecision(record: ApprovalRecord, status: 'approved' | 'denied'): boolean {
    return (
      this.verifyRequest(record) &&
      record.decisionKid !== undefined &&
      this.matches(
        this.mac(record.decisionKid, decisionPayload(record, status)),
        record.decisionSignature,
      )
    );
  }

  private mac(kid: string, payload: string): string | undefined {
    const secret = this.keys.get(kid);
    if (!secret) return undefined;
    return createHmac('sha256', secret).update(payload).digest('base64url');
  }

  private matches(expected: string | undefined, actual: unknown): boolean {
    if (expected === undefined || typeof actual !== 'string') return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(actual);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** What is wrong with a list of approval keys, or `undefined`. */
export function approvalKeysProblem(keys: unknown): string | undefined {
  if (!Array.isArray(keys) || keys.length === 0)
    return '"approvals.keys" must list at least one { kid, secret }';
  const seen = new Set<string>();
  for (const key of keys as ApprovalKey[]) {
    if (!key || typeof key.kid !== 'string' || !/^[\w.-]{1,64}$/.test(key.kid))
      return `"approvals.keys": a kid must be 1-64 letters, digits, "_", "." or "-", got ${JSON.stringify(key?.kid)}`;
    if (seen.has(key.kid)) return `"approvals.keys": kid "${key.kid}" is listed twice`;
    seen.add(key.kid);
    const bytes =
      typeof key.secret === 'string'
        ? Buffer.byteLength(key.secret)
        : key.secret instanceof Uint8Array
          ? key.secret.length
          : -1;
    if (bytes < MIN_APPROVAL_SECRET_BYTES)
      return `"approvals.keys": the secret of kid "${key.kid}" must be at least ${MIN_APPROVAL_SECRET_BYTES} bytes`;
  }
  return undefined;
}
