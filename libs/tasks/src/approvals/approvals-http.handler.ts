import { Logger } from '@nestjs/common';
import {
  AdminHttpProblem,
  ADMIN_HTTP_BODY_UNPARSABLE,
  adminMethodNotAllowed,
  answerAdminProblem,
  authorizeAdminRequest,
  decodeAdminSegment,
  isAdminHttpProblem,
  readAdminBody,
  sendAdminJson,
  type AdminHttpBody,
  type McpIdentity,
} from '@rampart/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isApprovalRefusal, type ApprovalRefusal } from './approval-refusal';
import type { ApprovalsAuthorize } from './approval.interfaces';
import type { ApprovalDecision, ApprovalsService } from './approvals.service';

/** What a request names: nothing (the list), one approval, or a decision on it. */
export interface ApprovalsRoute {
  /** The approval id, percent-encoded as sent. */
  approvalId?: string;
  /** `approve` or `deny`, for a `POST`. */
  action?: string;
}

/** The request body as the HTTP framework left it: parsed, still in the stream, or refused. */
export type ApprovalsBody = AdminHttpBody;

/** Answers the approval endpoints on raw Node requests; {@link mountApprovals} routes to it. */
export interface ApprovalsHandler {
  /** Largest body read, in bytes. */
  readonly bodyLimitBytes: number;
  /** Answers one request; never rejects. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: ApprovalsRoute,
    body: ApprovalsBody,
  ): Promise<void>;
}

const BODY_LIMIT_BYTES = 8_192;

/**
 * The approval endpoints, relative to their base path:
 *
 * - `GET <base>`: `200 { approvals: ApprovalView[] }`, the pending approvals the caller may
 *   decide (its scope, its tenant, not its own calls);
 * - `GET <base>/:id`: `200 { approval }`;
 * - `POST <base>/:id/approve`, body `{ argumentsHash?, comment? }`: approves, and the call runs;
 * - `POST <base>/:id/deny`, body `{ comment? }`: denies, and the call ends with `APPROVAL_DENIED`.
 *
 * Every request goes through `authorize` first (`401` without an identity). Refusals are JSON
 * `{ error, message, reason }`: `403` without the approval's scope, for the caller's own call, or
 * for a record whose signature does not verify; `404` for an unknown (or another tenant's)
 * approval; `409` when decided already or the arguments changed; `410` once expired.
 */
export function createApprovalsHandler(
  approvals: ApprovalsService,
  authorize: ApprovalsAuthorize,
): ApprovalsHandler {
  const logger = new Logger('Approvals:http');

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: ApprovalsRoute,
    body: ApprovalsBody,
  ): Promise<void> {
    const identity = await identify(req);
    const method = req.method ?? 'GET';
    const id = decode(route.approvalId);
    if (id === undefined) {
      if (method !== 'GET' && method !== 'HEAD') throw adminMethodNotAllowed(method, ['GET']);
      return sendAdminJson(res, 200, { approvals: await approvals.listFor(identity) });
    }
    if (route.action === undefined) {
      if (method !== 'GET' && method !== 'HEAD') throw adminMethodNotAllowed(method, ['GET']);
      return sendAdminJson(res, 200, { approval: await approvals.getFor(identity, id) });
    }
    if (method !== 'POST') throw adminMethodNotAllowed(method, ['POST']);
    if (route.action !== 'approve' && route.action !== 'deny')
      throw new AdminHttpProblem(404, `No such action "${route.action}": approve or deny`);
    const decision = await readDecision(req, body);
    const approval = await approvals.decide(
      identity,
      id,
      route.action === 'approve' ? 'approved' : 'denied',
      decision,
    );
    return sendAdminJson(res, 200, { approval });
  }

  async function identify(req: IncomingMessage): Promise<McpIdentity> {
    const identity = await authorizeAdminRequest(req, authorize);
    if (!identity || typeof identity.subject !== 'string' || identity.subject === '') {
      approvals.publishRefusal({}, undefined, 'unauthenticated');
      throw new AdminHttpProblem(401, 'Credentials are required', {}, 'unauthenticated');
    }
    return identity;
  }

  async function readDecision(
    req: IncomingMessage,
    body: ApprovalsBody,
  ): Promise<ApprovalDecision> {
    if ('refused' in body) throw new AdminHttpProblem(body.refused.status, body.refused.message);
    let value: unknown;
    if (body.parsed) value = body.value;
    else {
      const text = await readAdminBody(req, BODY_LIMIT_BYTES);
      if (text.trim() !== '')
        try {
          value = JSON.parse(text);
        } catch {
          throw new AdminHttpProblem(400, ADMIN_HTTP_BODY_UNPARSABLE());
        }
    }
    if (value === undefined || value === null || value === '') return {};
    if (typeof value !== 'object' || Array.isArray(value))
      throw new AdminHttpProblem(
        400,
        'The body must be a JSON object: { argumentsHash?, comment? }',
      );
    const decision = value as Record<string, unknown>;
    for (const [field, v] of Object.entries(decision)) {
      if (field !== 'argumentsHash' && field !== 'comment')
        throw new AdminHttpProblem(400, `Unknown field "${field}": argumentsHash, comment`);
      if (typeof v !== 'string' || v.length > 1_000)
        throw new AdminHttpProblem(400, `"${field}" must be a string of at most 1000 characters`);
    }
    return decision as ApprovalDecision;
  }

  return {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    async handle(req, res, route, body) {
      try {
        await serve(req, res, route, body);
      } catch (error) {
        answerAdminProblem(res, problemOf(error, logger));
      }
    },
  };
}

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined || segment === '') return undefined;
  return decodeAdminSegment(segment, 'The approval id is not a valid percent-encoded path segment');
}

function problemOf(error: unknown, logger: Logger): AdminHttpProblem {
  if (isAdminHttpProblem(error)) return error;
  if (isApprovalRefusal(error))
    return new AdminHttpProblem(error.status, error.message, {}, (error as ApprovalRefusal).reason);
  logger.error(`Approval request failed: ${(error as Error)?.message ?? String(error)}`);
  return new AdminHttpProblem(500, 'The approval request failed');
}
