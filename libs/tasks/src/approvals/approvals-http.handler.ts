import { Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
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
export type ApprovalsBody =
  | { parsed: true; value: unknown }
  | { parsed: false }
  | { refused: { status: number; message: string } };

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
const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  500: 'internal_error',
  503: 'unavailable',
};

/** A problem answered with `status` and `{ error, message, reason? }`. */
class HttpProblem {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly reason?: string,
  ) {}
}

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
      if (method !== 'GET' && method !== 'HEAD') throw notAllowed(method, ['GET']);
      return send(res, 200, { approvals: await approvals.listFor(identity) });
    }
    if (route.action === undefined) {
      if (method !== 'GET' && method !== 'HEAD') throw notAllowed(method, ['GET']);
      return send(res, 200, { approval: await approvals.getFor(identity, id) });
    }
    if (method !== 'POST') throw notAllowed(method, ['POST']);
    if (route.action !== 'approve' && route.action !== 'deny')
      throw new HttpProblem(404, `No such action "${route.action}": approve or deny`);
    const decision = await readDecision(req, body);
    const approval = await approvals.decide(
      identity,
      id,
      route.action === 'approve' ? 'approved' : 'denied',
      decision,
    );
    return send(res, 200, { approval });
  }

  async function identify(req: IncomingMessage): Promise<McpIdentity> {
    let identity: McpIdentity | undefined;
    try {
      identity = await authorize(req);
    } catch (error) {
      throw refusalOf(error) ?? error;
    }
    if (!identity || typeof identity.subject !== 'string' || identity.subject === '') {
      approvals.publishRefusal({}, undefined, 'unauthenticated');
      throw new HttpProblem(401, 'Credentials are required', {}, 'unauthenticated');
    }
    return identity;
  }

  async function readDecision(
    req: IncomingMessage,
    body: ApprovalsBody,
  ): Promise<ApprovalDecision> {
    if ('refused' in body) throw new HttpProblem(body.refused.status, body.refused.message);
    let value: unknown;
    if (body.parsed) value = body.value;
    else {
      const text = await readText(req);
      if (text.trim() !== '')
        try {
          value = JSON.parse(text);
        } catch {
          throw new HttpProblem(400, 'The body is not valid JSON');
        }
    }
    if (value === undefined || value === null || value === '') return {};
    if (typeof value !== 'object' || Array.isArray(value))
      throw new HttpProblem(400, 'The body must be a JSON object: { argumentsHash?, comment? }');
    const decision = value as Record<string, unknown>;
    for (const [field, v] of Object.entries(decision)) {
      if (field !== 'argumentsHash' && field !== 'comment')
        throw new HttpProblem(400, `Unknown field "${field}": argumentsHash, comment`);
      if (typeof v !== 'string' || v.length > 1_000)
        throw new HttpProblem(400, `"${field}" must be a string of at most 1000 characters`);
    }
    return decision as ApprovalDecision;
  }

  return {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    async handle(req, res, route, body) {
      try {
        await serve(req, res, route, body);
      } catch (error) {
        answer(res, problemOf(error, logger));
      }
    },
  };
}

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined || segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpProblem(400, 'The approval id is not a valid percent-encoded path segment');
  }
}

function notAllowed(method: string, allowed: readonly string[]): HttpProblem {
  return new HttpProblem(405, `${method} is not allowed here: ${allowed.join(', ')}`, {
    allow: allowed.join(', '),
  });
}

/** The HTTP refusal an `authorize` error carries (`httpStatus`, `status`, `statusCode`). */
function refusalOf(error: unknown): HttpProblem | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as {
    httpStatus?: unknown;
    status?: unknown;
    statusCode?: unknown;
    getStatus?: () => unknown;
    message?: unknown;
    headers?: unknown;
    retryAfterMs?: unknown;
  };
  const status = [
    e.httpStatus,
    e.status,
    e.statusCode,
    typeof e.getStatus === 'function' ? e.getStatus() : undefined,
  ].find((s): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 600);
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (e.headers && typeof e.headers === 'object')
    for (const [name, value] of Object.entries(e.headers))
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
  if (typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0)
    headers['retry-after'] = String(Math.ceil(e.retryAfterMs / 1_000));
  const message = typeof e.message === 'string' && e.message ? e.message : `HTTP ${status}`;
  return new HttpProblem(status, message, headers);
}

function problemOf(error: unknown, logger: Logger): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isApprovalRefusal(error))
    return new HttpProblem(error.status, error.message, {}, (error as ApprovalRefusal).reason);
  logger.error(`Approval request failed: ${(error as Error)?.message ?? String(error)}`);
  return new HttpProblem(500, 'The approval request failed');
}

function answer(res: ServerResponse, problem: HttpProblem): void {
  if (res.headersSent) return void res.destroy();
  send(
    res,
    problem.status,
    {
      error: ERROR_CODES[problem.status] ?? 'error',
      message: problem.message,
      ...(problem.reason && { reason: problem.reason }),
    },
    problem.headers,
  );
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** The body still in the stream, at most {@link BODY_LIMIT_BYTES}. */
function readText(req: IncomingMessage): Promise<string> {
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size <= BODY_LIMIT_BYTES) return void chunks.push(buffer);
      done();
      req.pause();
      reject(
        new HttpProblem(413, `The body is larger than ${BODY_LIMIT_BYTES} bytes`, {
          connection: 'close',
        }),
      );
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
