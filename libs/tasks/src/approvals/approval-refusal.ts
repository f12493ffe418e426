/**
 * Why an attempt to decide an approval (or to run an approved call) is refused: short
 * kebab-case words, the `reason` of the `refused` approval events and of the endpoints' answers.
 */
export type ApprovalRefusalReason =
  | 'unauthenticated'
  | 'not-found'
  | 'insufficient-scope'
  | 'self-approval'
  | 'invalid-signature'
  | 'arguments-changed'
  | 'expired'
  | 'replayed'
  | 'task-over'
  | 'invalid-request';

const STATUS: Record<ApprovalRefusalReason, number> = {
  unauthenticated: 401,
  'not-found': 404,
  'insufficient-scope': 403,
  'self-approval': 403,
  'invalid-signature': 403,
  'arguments-changed': 409,
  expired: 410,
  replayed: 409,
  'task-over': 409,
  'invalid-request': 400,
};

const BRAND = Symbol.for('rampart.ApprovalRefusal');

/** An approval decision (or run) refused, with the HTTP status the endpoints answer. */
export class ApprovalRefusal extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ApprovalRefusal';
  readonly status: number;

  constructor(
    readonly reason: ApprovalRefusalReason,
    message: string,
  ) {
    super(message);
    this.status = STATUS[reason];
  }
}

/** Whether `e` is an {@link ApprovalRefusal}. */
export const isApprovalRefusal = (e: unknown): e is ApprovalRefusal =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
