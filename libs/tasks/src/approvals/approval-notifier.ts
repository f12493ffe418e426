import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';

/** What approvers are told of an approval asked for. Never the arguments' values. */
export interface ApprovalNotice {
  type: 'approval.requested';
  approvalId: string;
  server: string;
  tool: string;
  taskId: string;
  /** SHA-256 of the canonical arguments: the approver checks it against what they approve. */
  argumentsHash: string;
  caller: { subject?: string; tenant?: string };
  /** The scope an approver needs. */
  approvers: string;
  reason?: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Path of the approval on the server's approval endpoints (`GET`; `POST …/approve|deny`). */
  path?: string;
}

/**
 * Tells approvers that an approval waits for them (a webhook, a chat message, a ticket). It is
 * told after the approval is stored; its failures are logged and never fail the call.
 *
 * @example
 * ```ts
 * class ChatNotifier implements ApprovalNotifier {
 *   async notify(notice: ApprovalNotice) { await chat.post('#ops', `${notice.tool} needs approval ${notice.approvalId}`); }
 * }
 * ```
 */
export interface ApprovalNotifier {
  notify(notice: ApprovalNotice): Promise<void>;
}

/** Options of {@link WebhookApprovalNotifier}. */
export interface WebhookApprovalNotifierOptions {
  /** Where to POST the notice (JSON). */
  url: string | URL;
  /** Headers added to every request (an `authorization` the receiver expects). */
  headers?: Record<string, string>;
  /**
   * A secret to sign the body with: `x-rampart-signature: sha256=<hex HMAC of the body>`.
   * @default no signature
   */
  secret?: string;
  /**
   * How long one POST may take, in milliseconds.
   * @default 5000
   */
  timeoutMs?: number;
}

/**
 * Notifies approvers with an HTTP POST of the {@link ApprovalNotice} as JSON, to a URL the
 * operator configures (a chat's incoming webhook, an approvals service). A non-2xx answer or a
 * network error is logged; the call waits for its approval all the same.
 *
 * @example
 * ```ts
 * TasksModule.forRoot({
 *   approvals: { keys, notifiers: [new WebhookApprovalNotifier({ url: process.env.APPROVALS_WEBHOOK_URL! })] },
 * });
 * ```
 */
export class WebhookApprovalNotifier implements ApprovalNotifier {
  private readonly logger = new Logger('Approvals:webhook');
  private readonly url: URL;

  constructor(private readonly options: WebhookApprovalNotifierOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:')
      throw new Error(`WebhookApprovalNotifier: the URL must be http(s), got ${this.url.protocol}`);
  }

  async notify(notice: ApprovalNotice): Promise<void> {
    const body = JSON.stringify(notice);
    const headers: Record<string, string> = {
      ...this.options.headers,
      'content-type': 'application/json',
    };
    if (this.options.secret)
      headers['x-rampart-signature'] =
        `sha256=${createHmac('sha256', this.options.secret).update(body).digest('hex')}`;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok)
        this.logger.warn(`Approval ${notice.approvalId}: the webhook answered ${res.status}`);
    } catch (e) {
      this.logger.warn(
        `Approval ${notice.approvalId}: the webhook failed: ${(e as Error).message}`,
      );
    }
  }
}
